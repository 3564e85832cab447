"""List pages: My schedule, the staff calendar and the overdue list, with pinned query counts."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from inspections.forms import JAKARTA
from tests.bulk import copies_of_inspection
from tests.factories import InspectorFactory
from tests.inspections.factories import make_inspection, window

# Sunday 29 November 2026, 08:00 in Jakarta; the week under test starts Monday 30 November.
NOW = datetime.datetime(2026, 11, 29, 8, 0, tzinfo=JAKARTA)
MONDAY = datetime.date(2026, 11, 30)
SLOTS_PER_INSPECTOR = 10  # Monday to Friday, 09:00 and 13:00

# Queries per page, whatever the number of inspections: session, user, the user's second
# factor device, the user's groups, then the page's own reads (see each test).
SCHEDULE_QUERIES = 6  # + inspections with applications, + their sites
CALENDAR_QUERIES = 7  # + inspectors for the filter, inspectors of the week, inspections
OVERDUE_QUERIES = 5  # + overdue inspections with applications and inspectors


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _book(count, staff, inspectors=None):
    """`count` inspections in the week of MONDAY, ten per inspector (no overlaps): the first
    through the services, the others copies of it (tests.bulk)."""
    inspectors = inspectors or [InspectorFactory() for _ in range(-(-count // SLOTS_PER_INSPECTOR))]
    slots = []
    for n in range(count):
        slot = n % SLOTS_PER_INSPECTOR
        slots.append((inspectors[n // SLOTS_PER_INSPECTOR], 1 + slot // 2, 9 + 4 * (slot % 2)))
    return _booked(slots, staff)


def _booked(slots, staff):
    """An inspection for each (inspector, days from today, hour) in `slots`, three hours long."""
    (inspector, days, hour), *others = slots
    first = make_inspection(inspector=inspector, staff=staff, days=days, hour=hour)
    copies = copies_of_inspection(
        first, [(inspector, *window(days=days, hour=hour)) for inspector, days, hour in others]
    )
    return [first, *copies]


@pytest.mark.parametrize("count", [5, 50])
def test_my_schedule_runs_a_fixed_number_of_queries(
    client, staff_user, now, count, django_assert_num_queries
):
    inspector = InspectorFactory()
    # One inspector cannot have 50 in a week: spread the others over the following weeks.
    booked = _book(min(count, SLOTS_PER_INSPECTOR), staff_user, [inspector])
    later = [(inspector, 8 + n // 2, 9 + 4 * (n % 2)) for n in range(count - len(booked))]
    if later:
        booked += copies_of_inspection(
            booked[0], [(inspector, *window(days=days, hour=hour)) for _, days, hour in later]
        )
    client.force_login(inspector)
    with django_assert_num_queries(SCHEDULE_QUERIES):
        response = client.get(reverse("inspections:schedule"))
    assert response.status_code == 200
    assert response.content.decode().count("data-inspection=") == count


@pytest.mark.parametrize("count", [5, 50])
def test_the_calendar_runs_a_fixed_number_of_queries(
    client, staff_user, now, count, django_assert_num_queries
):
    _book(count, staff_user)
    client.force_login(staff_user)
    with django_assert_num_queries(CALENDAR_QUERIES):
        response = client.get(reverse("inspections:calendar"), {"week": MONDAY.isoformat()})
    assert response.status_code == 200
    assert response.content.decode().count("<li data-inspection=") == count


@pytest.mark.parametrize("count", [5, 50])
def test_the_overdue_list_runs_a_fixed_number_of_queries(
    client, staff_user, count, django_assert_num_queries
):
    with time_machine.travel(NOW, tick=False):
        _book(count, staff_user)
    with time_machine.travel(NOW + datetime.timedelta(days=14), tick=False):
        client.force_login(staff_user)
        with django_assert_num_queries(OVERDUE_QUERIES):
            response = client.get(reverse("inspections:overdue"))
    assert response.status_code == 200
    assert response.content.decode().count("<tr data-inspection=") == count


def test_the_calendar_moves_by_week_and_filters_by_inspector(client, staff_user, now):
    first, second = InspectorFactory(), InspectorFactory()
    mine = make_inspection(inspector=first, staff=staff_user, days=2)
    theirs = make_inspection(inspector=second, staff=staff_user, days=2)
    make_inspection(inspector=first, staff=staff_user, days=9)  # the week after
    client.force_login(staff_user)
    url = reverse("inspections:calendar")
    response = client.get(url, {"week": "2026-12-02"})  # any day of the week will do
    html = response.content.decode()
    assert response.context["week"].week_start == MONDAY
    assert 'href="?week=2026-11-23"' in html and 'href="?week=2026-12-07"' in html
    assert html.count("<li data-inspection=") == 2
    response = client.get(url, {"week": MONDAY.isoformat(), "inspector": first.pk})
    html = response.content.decode()
    assert f'data-inspection="{mine.pk}"' in html
    assert f'data-inspection="{theirs.pk}"' not in html
    assert f"inspector={first.pk}" in html  # the week links keep the filter
    response = client.get(url, {"week": "2026-12-07"})
    assert response.content.decode().count("<li data-inspection=") == 1


def test_the_calendar_defaults_to_this_week(client, staff_user, now):
    client.force_login(staff_user)
    response = client.get(reverse("inspections:calendar"))
    assert response.context["week"].week_start == datetime.date(2026, 11, 23)


def test_the_overdue_list_leaves_out_submitted_and_future_inspections(client, staff_user):
    with time_machine.travel(NOW, tick=False):
        late = make_inspection(staff=staff_user, days=1)
        make_inspection("passed", staff=staff_user, days=1)
        make_inspection(staff=staff_user, days=30)
    with time_machine.travel(NOW + datetime.timedelta(days=3), tick=False):
        client.force_login(staff_user)
        response = client.get(reverse("inspections:overdue"))
    assert [i.pk for i in response.context["inspections"]] == [late.pk]
