import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from inspections import services
from inspections.constants import InspectionState
from inspections.selectors import (
    inspection_detail,
    inspections_for_application,
    inspector_schedule,
    overdue_inspections,
    staff_week,
)
from tests.bulk import copies_of_inspection
from tests.factories import InspectorFactory
from tests.inspections.factories import make_inspection, on_planned_day, record_all, window

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
# Monday 7 December 2026, 07:00 in Jakarta.
MONDAY_MORNING = datetime.datetime(2026, 12, 7, 7, 0, tzinfo=JAKARTA)


@pytest.fixture
def monday():
    with time_machine.travel(MONDAY_MORNING, tick=False):
        yield MONDAY_MORNING.date()


def book(n, inspectors, staff, slots_per_day=4):
    """`n` inspections spread over the inspectors, non-overlapping, from tomorrow: the first
    through the services, the others copies of it (tests.bulk)."""
    slots = []
    for i in range(n):
        k = i // len(inspectors)
        start, end = window(days=1 + k // slots_per_day, hour=8 + 2 * (k % slots_per_day), hours=2)
        slots.append((inspectors[i % len(inspectors)], start, end))
    (inspector, start, _end), *others = slots
    first = make_inspection(inspector=inspector, staff=staff, days=1, hour=start.hour, hours=2)
    return [first, *copies_of_inspection(first, others)]


# Inspector schedule ----------------------------------------------------------------------
def test_the_schedule_splits_today_from_upcoming(monday, staff_user, inspector, other_inspector):
    today = make_inspection(inspector=inspector, staff=staff_user, days=0, hour=10)
    tomorrow = make_inspection(inspector=inspector, staff=staff_user, days=1, hour=9)
    later = make_inspection(inspector=inspector, staff=staff_user, days=9, hour=9)
    make_inspection(inspector=other_inspector, staff=staff_user, days=0, hour=10)
    make_inspection("cancelled", inspector=inspector, staff=staff_user, days=2)
    make_inspection("passed", inspector=inspector, staff=staff_user, days=3)

    schedule = inspector_schedule(inspector=inspector, today=monday)

    assert schedule.today == [today]
    assert schedule.upcoming == [tomorrow, later]
    assert list(schedule) == [today, tomorrow, later]
    assert len(schedule) == 3


def test_an_unfinished_visit_from_an_earlier_day_stays_on_the_schedule(
    monday, staff_user, inspector
):
    started = make_inspection("in_progress", inspector=inspector, staff=staff_user, hour=9)
    forgotten = make_inspection(inspector=inspector, staff=staff_user, days=1, hour=13)
    with time_machine.travel(MONDAY_MORNING + datetime.timedelta(days=3), tick=False):
        schedule = inspector_schedule(inspector=inspector)
    assert schedule.today == [started]
    assert forgotten not in schedule.all


@pytest.mark.parametrize("count", [5, 50])
def test_the_schedule_runs_one_query(count, staff_user, inspector, django_assert_num_queries):
    book(count, [inspector], staff_user)
    with django_assert_num_queries(1):
        schedule = inspector_schedule(inspector=inspector)
        shown = [
            (i.application.reference, i.application.organization.legal_name, i.inspector.email)
            for i in schedule
        ]
    assert len(shown) == count


# Staff week ------------------------------------------------------------------------------
def test_the_week_groups_per_inspector_and_day(monday, staff_user, inspector, other_inspector):
    tuesday = make_inspection(inspector=inspector, staff=staff_user, days=1, hour=9)
    friday = make_inspection(inspector=other_inspector, staff=staff_user, days=4, hour=9)
    make_inspection(inspector=inspector, staff=staff_user, days=8)  # next week
    make_inspection("cancelled", inspector=inspector, staff=staff_user, days=2)

    week = staff_week(week_start=monday)

    assert week.days[0] == monday and len(week.days) == 7
    rows = {row.inspector: row for row in week.rows}
    assert set(rows) == {inspector, other_inspector}
    assert rows[inspector].inspections == [tuesday]
    assert rows[inspector].by_day[1] == [tuesday]
    assert rows[other_inspector].by_day[4] == [friday]
    assert week.next_week == monday + datetime.timedelta(days=7)
    assert week.previous_week == monday - datetime.timedelta(days=7)


def test_the_week_can_show_one_inspector(monday, staff_user, inspector, other_inspector):
    make_inspection(inspector=other_inspector, staff=staff_user, days=2)
    week = staff_week(week_start=monday, inspector=inspector)
    assert [row.inspector for row in week.rows] == [inspector]
    assert week.rows[0].inspections == []


def test_an_inspector_without_inspections_still_has_a_row(monday, inspector):
    week = staff_week(week_start=monday)
    assert [row.inspector for row in week.rows] == [inspector]


@pytest.mark.parametrize("count", [5, 50])
def test_the_week_runs_two_queries(count, monday, staff_user, django_assert_num_queries):
    inspectors = [InspectorFactory() for _ in range(3)]
    book(count, inspectors, staff_user, slots_per_day=5)
    with django_assert_num_queries(2):
        week = staff_week(week_start=monday)
        shown = [
            (i.application.reference, i.application.organization.legal_name)
            for row in week.rows
            for day in row.by_day
            for i in day
        ]
    assert len(shown) == count


# Overdue ---------------------------------------------------------------------------------
def test_overdue_lists_windows_passed_without_submission(monday, staff_user, inspector):
    scheduled = make_inspection(inspector=inspector, staff=staff_user, days=0, hour=9)
    in_progress = make_inspection("in_progress", staff=staff_user, days=0, hour=10)
    make_inspection("passed", staff=staff_user, days=0, hour=9)
    make_inspection("cancelled", staff=staff_user, days=0, hour=9)
    not_yet = make_inspection(staff=staff_user, days=2)

    with time_machine.travel(MONDAY_MORNING + datetime.timedelta(days=1), tick=False):
        overdue = list(overdue_inspections())

    assert overdue == [scheduled, in_progress]
    assert not_yet not in overdue
    assert list(overdue_inspections(now=timezone.now())) == []


# Per application -------------------------------------------------------------------------
def test_history_for_an_application_keeps_every_inspection(
    awaiting, staff_user, inspector, applicant, django_assert_num_queries
):
    first = make_inspection(application=awaiting, staff=staff_user, inspector=inspector)
    start, end = first.window_start, first.window_end
    services.inspection_reschedule(
        inspection=first,
        actor=staff_user,
        window_start=start + datetime.timedelta(days=1),
        window_end=end + datetime.timedelta(days=1),
        reason="Moved",
    )
    services.inspection_cancel(inspection=first, actor=staff_user, reason="Closed")
    second = make_inspection(application=awaiting, staff=staff_user, inspector=inspector, days=3)
    with on_planned_day(second):
        record_all(second, majors=["sops"])
        services.findings_save_draft(inspection=second, actor=inspector, corrective_actions="Fix")
        services.inspection_submit(inspection=second, actor=inspector)

    # inspections, findings, interviews, photos, schedule changes, their changed_by.
    with django_assert_num_queries(6):
        history = list(inspections_for_application(application=awaiting))
        for inspection in history:
            list(inspection.findings.all())
            list(inspection.interviews.all())
            list(inspection.photos.all())
            seen = [c.changed_by.email for c in inspection.schedule_changes.all()]
            seen.append(inspection.inspector.email)

    assert [i.state for i in history] == [InspectionState.FAILED, InspectionState.CANCELLED]


def test_detail_is_limited_to_what_the_user_sees(scheduled, inspector, other_inspector):
    from inspections.models import Inspection

    assert inspection_detail(inspection_id=scheduled.pk, user=inspector) == scheduled
    with pytest.raises(Inspection.DoesNotExist):
        inspection_detail(inspection_id=scheduled.pk, user=other_inspector)
