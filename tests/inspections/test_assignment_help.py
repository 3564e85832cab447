"""Inspector assignment help when scheduling: those who cover the premises' province and are
free in the window first, with their load that week."""

import datetime
import re

import pytest
import time_machine
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from inspections import selectors, services
from inspections.models import InspectorArea
from registrasi.accounts.constants import Province
from tests.factories import InspectorFactory, StaffFactory
from tests.inspections.factories import awaiting_application

# A Monday morning in Jakarta: the week runs Monday 4 to Sunday 10 January 2027.
MONDAY = datetime.datetime(2027, 1, 4, 7, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def at(day, hour, hours=3):
    start = timezone.make_aware(datetime.datetime(2027, 1, day, hour, 0))
    return start, start + datetime.timedelta(hours=hours)


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def book(inspector, window, staff):
    start, end = window
    return services.inspection_schedule(
        application=awaiting_application(staff=staff),
        actor=staff,
        inspector=inspector,
        window_start=start,
        window_end=end,
    )


@pytest.fixture
def team(db):
    """Dewi: covers DKI, free, nothing that week. Agus: covers DKI, free, two that week.
    Budi: covers DKI, busy on Tuesday morning. Citra: covers Bali only, free."""
    staff = StaffFactory()
    dewi = InspectorFactory(full_name="Dewi")
    agus = InspectorFactory(full_name="Agus")
    budi = InspectorFactory(full_name="Budi")
    citra = InspectorFactory(full_name="Citra")
    for inspector in (dewi, agus, budi):
        InspectorArea.objects.create(inspector=inspector, province=Province.DKI)
    InspectorArea.objects.create(inspector=citra, province=Province.BALI)
    book(agus, at(6, 9), staff)
    book(agus, at(8, 13), staff)
    book(agus, at(11, 9), staff)  # the next week: not counted
    book(budi, at(5, 10), staff)
    return {"dewi": dewi, "agus": agus, "budi": budi, "citra": citra, "staff": staff}


def test_covering_and_free_come_first_then_the_least_loaded(team):
    application = awaiting_application(staff=team["staff"])
    start, end = at(5, 9)
    candidates = selectors.assignment_candidates(
        application=application, window_start=start, window_end=end
    )
    names = [c.inspector.full_name for c in candidates]
    assert names == ["Dewi", "Agus", "Budi", "Citra"]
    by_name = {c.inspector.full_name: c for c in candidates}
    assert by_name["Agus"].week_load == 2
    assert by_name["Budi"].free is False and by_name["Budi"].week_load == 1
    assert by_name["Citra"].covers is False and by_name["Citra"].free is True
    assert [c.recommended for c in candidates] == [True, True, False, False]


def test_another_window_frees_the_busy_inspector(team):
    application = awaiting_application(staff=team["staff"])
    start, end = at(5, 14)  # Tuesday afternoon: Budi's morning is over
    candidates = selectors.assignment_candidates(
        application=application, window_start=start, window_end=end
    )
    assert {c.inspector.full_name for c in candidates if c.recommended} == {"Dewi", "Agus", "Budi"}


def test_the_help_runs_a_fixed_number_of_queries(team, django_assert_num_queries):
    application = awaiting_application(staff=team["staff"])
    start, end = at(5, 9)
    for _ in range(5):
        InspectorFactory()
    with django_assert_num_queries(5):
        selectors.assignment_candidates(application=application, window_start=start, window_end=end)


def test_the_scheduling_page_lists_them_in_that_order(client, team):
    application = awaiting_application(staff=team["staff"])
    client.force_login(team["staff"])
    url = reverse("inspections:create", args=[application.pk])
    html = client.get(url, {"date": "2027-01-05", "start_time": "09:00", "end_time": "12:00"})
    html = html.content.decode()
    rows = re.findall(r'<tr data-inspector="(\d+)"( data-recommended)?>', html)
    expected = [team[n].pk for n in ("dewi", "agus", "budi", "citra")]
    assert [int(pk) for pk, _flag in rows] == expected
    assert [bool(flag) for _pk, flag in rows] == [True, True, False, False]
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', html)
    assert [int(pk) for pk, _label in options][:4] == expected
    labels = dict((int(pk), label) for pk, label in options)
    assert "covers the province" in labels[team["dewi"].pk]
    assert "busy in this window" in labels[team["budi"].pk]
    assert "2 inspections that week" in labels[team["agus"].pk]


def test_the_page_refreshes_the_help_for_the_window_asked(client, team):
    application = awaiting_application(staff=team["staff"])
    client.force_login(team["staff"])
    url = reverse("inspections:create", args=[application.pk])
    html = client.get(
        url,
        {"date": "2027-01-05", "start_time": "13:00", "end_time": "16:00"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert f'<tr data-inspector="{team["budi"].pk}" data-recommended>' in html
    assert 'id="assignment-help"' in html


def test_scheduling_with_the_help_still_books(client, team):
    application = awaiting_application(staff=team["staff"])
    client.force_login(team["staff"])
    response = client.post(
        reverse("inspections:create", args=[application.pk]),
        {
            "inspector": team["dewi"].pk,
            "date": "2027-01-05",
            "start_time": "09:00",
            "end_time": "12:00",
        },
    )
    assert response.status_code == 302
    assert application.inspections.get().inspector == team["dewi"]


@pytest.mark.parametrize("who", ["applicant", "inspector", "no_role_user"])
def test_the_scheduling_page_is_the_desks(client, request, who, team):
    application = awaiting_application(staff=team["staff"])
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("inspections:create", args=[application.pk]))
    assert response.status_code == 404


def test_an_inspector_covers_a_province_once(db):
    inspector = InspectorFactory()
    InspectorArea.objects.create(inspector=inspector, province=Province.DKI)
    with pytest.raises(IntegrityError):
        InspectorArea.objects.create(inspector=inspector, province=Province.DKI)
