"""One date style per language (issue 15, point 12): registrasi/formats is read before
Django's locale formats, so templates, emails and PDFs print "30 November 2026" and
"30 November 2026, 20.28 WIB" (Indonesian) or "30 November 2026, 20:28 WIB" (English),
never "30 Nov. 2026, 20.28" or "Nov. 30, 2026, 8:28 p.m."; a moment is in Jakarta time and
names its zone in the format, so no template adds "WIB" by hand."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone, translation
from django.utils.formats import date_format

from registrasi.formats import display
from registrasi.formats.filters import day, moment

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
DAY = datetime.date(2026, 11, 30)
# 13:28 UTC is 20:28 in Jakarta.
MOMENT = datetime.datetime(2026, 11, 30, 13, 28, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("language", "date_text", "moment_text"),
    [
        ("id", "30 November 2026", "30 November 2026, 20.28 WIB"),
        ("en", "30 November 2026", "30 November 2026, 20:28 WIB"),
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
            "17 Agustus 2026, 10.00 WIB"
        )


@pytest.mark.parametrize("value", [None, "", "2026-11-30", 20261130])
def test_what_is_not_a_date_prints_nothing(value):
    assert day(value) == ""
    assert moment(value) == ""


def test_a_date_alone_is_not_a_moment():
    assert moment(DAY) == ""


# The project's own kinds: weekday, clock, window, hours (registrasi.formats.display) ----------

START = datetime.datetime(2026, 12, 1, 2, 0, tzinfo=datetime.UTC)  # 09.00 in Jakarta
END = datetime.datetime(2026, 12, 1, 5, 0, tzinfo=datetime.UTC)  # 12.00 in Jakarta


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "id",
            [
                "Selasa, 1 Desember 2026",
                "09.00",
                "09.00.00",
                "1 Desember 2026, 09.00.00 WIB",
                "Selasa, 1 Desember 2026, 09.00–12.00 WIB",
                "09.00–12.00 WIB",
            ],
        ),
        (
            "en",
            [
                "Tuesday, 1 December 2026",
                "09:00",
                "09:00:00",
                "1 December 2026, 09:00:00 WIB",
                "Tuesday, 1 December 2026, 09:00–12:00 WIB",
                "09:00–12:00 WIB",
            ],
        ),
    ],
)
def test_each_kind_of_date_has_one_style_per_language(language, expected):
    with translation.override(language):
        rendered = Template(
            "{% load dates %}{{ s|weekday }}|{{ s|clock }}|{{ s|clock:'seconds' }}|"
            "{{ s|moment:'seconds' }}|{{ s|window:e }}|{{ s|hours:e }}"
        ).render(Context({"s": START, "e": END}))
    assert rendered.split("|") == expected


def test_a_window_over_midnight_names_both_moments():
    with translation.override("en"):
        text = display.format_window(START, END + datetime.timedelta(days=1))
    assert text == "1 December 2026, 09:00 WIB – 2 December 2026, 12:00 WIB"


def test_a_moment_is_shown_in_jakarta_whatever_time_zone_is_active():
    with translation.override("id"), timezone.override("Europe/London"):
        assert moment(MOMENT) == "30 November 2026, 20.28 WIB"
        assert day(datetime.datetime(2026, 11, 30, 18, 0, tzinfo=datetime.UTC)) == (
            "1 Desember 2026"
        )


def test_day_can_be_written_in_a_given_language():
    with translation.override("en"):
        rendered = Template("{% load dates %}{{ d|day:'id' }} / {{ d|day }}").render(
            Context({"d": datetime.date(2026, 12, 1)})
        )
    assert rendered == "1 Desember 2026 / 1 December 2026"


def test_a_moment_takes_no_other_argument_than_seconds():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load dates %}{{ m|moment:'H:i' }}").render(Context({"m": MOMENT}))
