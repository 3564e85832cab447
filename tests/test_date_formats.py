"""One date style per language (issue 15, point 12): registrasi/formats is read before
Django's locale formats, so templates, emails and PDFs print "30 November 2026" and
"30 November 2026, 20.28" (Indonesian) or "30 November 2026, 20:28" (English), never
"30 Nov. 2026, 20.28" or "Nov. 30, 2026, 8:28 p.m."."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

from registrasi.formats.filters import day, moment

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
DAY = datetime.date(2026, 11, 30)
# 13:28 UTC is 20:28 in Jakarta.
MOMENT = datetime.datetime(2026, 11, 30, 13, 28, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("language", "date_text", "moment_text"),
    [
        ("id", "30 November 2026", "30 November 2026, 20.28"),
        ("en", "30 November 2026", "30 November 2026, 20:28"),
    ],
)
def test_each_language_has_one_date_and_one_moment_style(language, date_text, moment_text):
    with translation.override(language):
        assert date_format(DAY, "DATE_FORMAT") == date_text
        assert day(DAY) == day(MOMENT) == date_text
        assert moment(MOMENT) == moment_text
        rendered = Template(
            "{% load dates %}{{ d }}|{{ d|date }}|{{ m|moment }}|{{ m|date:'DATETIME_FORMAT' }}"
        ).render(Context({"d": DAY, "m": MOMENT}))
    assert rendered == f"{date_text}|{date_text}|{moment_text}|{moment_text}"


def test_indonesian_months_are_written_in_full():
    with translation.override("id"):
        assert day(datetime.date(2026, 12, 1)) == "1 Desember 2026"
        assert moment(datetime.datetime(2026, 8, 17, 10, 0, tzinfo=JAKARTA)) == (
            "17 Agustus 2026, 10.00"
        )


@pytest.mark.parametrize("value", [None, "", "2026-11-30", 20261130])
def test_what_is_not_a_date_prints_nothing(value):
    assert day(value) == ""
    assert moment(value) == ""


def test_a_date_alone_is_not_a_moment():
    assert moment(DAY) == ""
