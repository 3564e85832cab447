import datetime

import pytest
from django.core.exceptions import ValidationError

from applications.constants import ApplicationState
from inspections import services
from inspections.constants import InspectionState, Requirement
from inspections.models import Inspection, ScheduleChange
from inspections.services import NotAllowed, SchedulingRefused
from registrasi.audit.models import AuditEvent
from tests.applications.factories import ApplicationFactory
from tests.inspections.factories import awaiting_application, make_inspection, window

pytestmark = pytest.mark.usefixtures("english")


def schedule(application, staff, inspector, start_end=None, **kwargs):
    start, end = start_end or window()
    return services.inspection_schedule(
        application=application,
        actor=staff,
        inspector=inspector,
        window_start=start,
        window_end=end,
        **kwargs,
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# Scheduling ------------------------------------------------------------------------------
def test_it_schedules_an_awaiting_paid_application(awaiting, staff_user, inspector):
    start, end = window(days=2, hour=10, hours=2)
    inspection = schedule(awaiting, staff_user, inspector, (start, end))

    assert inspection.state == InspectionState.SCHEDULED
    assert (inspection.window_start, inspection.window_end) == (start, end)
    assert inspection.scheduled_by == staff_user
    assert fresh(awaiting).state == ApplicationState.INSPECTION_SCHEDULED
    assert AuditEvent.objects.for_object(inspection).get().action == "schedule"
    assert AuditEvent.objects.for_object(awaiting).filter(action="schedule").exists()


def test_it_prepares_one_blank_finding_per_requirement(awaiting, staff_user, inspector):
    inspection = schedule(awaiting, staff_user, inspector)

    findings = list(inspection.findings.all())
    assert [f.requirement for f in findings] == [
        Requirement.BUSINESS_ENTITY,
        Requirement.AGENT_TRAINING,
        Requirement.DATA_PROTECTION,
        Requirement.SOPS,
        Requirement.DECLARED_FACTS,
    ]
    assert all(f.result == "" for f in findings)


@pytest.mark.parametrize("kind", ["renewal", "change"])
def test_renewals_and_changes_also_check_the_displayed_certificate(
    kind, applicant, staff_user, inspector
):
    application = awaiting_application(applicant.organization, kind=kind, staff=staff_user)
    inspection = schedule(application, staff_user, inspector)

    assert Requirement.CERTIFICATE_DISPLAYED in inspection.findings.values_list(
        "requirement", flat=True
    )


def test_the_contact_defaults_to_the_applicant_and_organization_phone(
    awaiting, staff_user, inspector
):
    inspection = schedule(awaiting, staff_user, inspector)
    assert inspection.contact_name == awaiting.created_by.get_full_name()
    assert inspection.contact_phone == awaiting.organization.contact_phone

    other = make_inspection(staff=staff_user, inspector=inspector, days=3)
    services.inspection_cancel(inspection=other, actor=staff_user, reason="Test")
    again = schedule(
        other.application,
        staff_user,
        inspector,
        window(days=4),
        contact_name="Budi Santoso",
        contact_phone="+62 812 3456 7890",
    )
    assert (again.contact_name, again.contact_phone) == ("Budi Santoso", "+62 812 3456 7890")


def test_it_refuses_an_overlapping_window_for_the_same_inspector(
    awaiting, staff_user, inspector, applicant
):
    schedule(awaiting, staff_user, inspector, window(days=2, hour=9, hours=3))
    second = awaiting_application(applicant.organization, staff=staff_user)

    with pytest.raises(SchedulingRefused) as refused:
        schedule(second, staff_user, inspector, window(days=2, hour=11, hours=3))

    assert inspector.get_full_name() in refused.value.message
    assert "already has an inspection" in refused.value.message
    assert fresh(second).state == ApplicationState.AWAITING_INSPECTION
    assert not Inspection.objects.filter(application=second).exists()


def test_it_refuses_a_window_inside_or_around_another(awaiting, staff_user, inspector, applicant):
    schedule(awaiting, staff_user, inspector, window(days=2, hour=10, hours=2))
    second = awaiting_application(applicant.organization, staff=staff_user)

    for start_end in (window(days=2, hour=10, minute=30, hours=1), window(days=2, hour=8, hours=6)):
        with pytest.raises(SchedulingRefused):
            schedule(second, staff_user, inspector, start_end)


def test_it_allows_adjacent_windows(awaiting, staff_user, inspector, applicant):
    schedule(awaiting, staff_user, inspector, window(days=2, hour=9, hours=3))
    second = awaiting_application(applicant.organization, staff=staff_user)
    third = awaiting_application(applicant.organization, staff=staff_user)

    after = schedule(second, staff_user, inspector, window(days=2, hour=12, hours=2))
    before = schedule(third, staff_user, inspector, window(days=2, hour=7, hours=2))

    assert after.state == before.state == InspectionState.SCHEDULED


def test_another_inspector_may_take_the_same_window(
    awaiting, staff_user, inspector, other_inspector, applicant
):
    schedule(awaiting, staff_user, inspector, window(days=2))
    second = awaiting_application(applicant.organization, staff=staff_user)
    assert schedule(second, staff_user, other_inspector, window(days=2)).pk


def test_a_cancelled_inspection_frees_the_window(awaiting, staff_user, inspector, applicant):
    first = schedule(awaiting, staff_user, inspector, window(days=2))
    services.inspection_cancel(inspection=first, actor=staff_user, reason="Office closed")
    second = awaiting_application(applicant.organization, staff=staff_user)

    assert schedule(second, staff_user, inspector, window(days=2)).pk


def test_it_refuses_a_window_in_the_past(awaiting, staff_user, inspector):
    with pytest.raises(SchedulingRefused, match="past"):
        schedule(awaiting, staff_user, inspector, window(days=-1))
    assert fresh(awaiting).state == ApplicationState.AWAITING_INSPECTION


def test_it_refuses_a_window_that_ends_before_it_starts(awaiting, staff_user, inspector):
    start, end = window(days=2)
    with pytest.raises(SchedulingRefused, match="end after"):
        schedule(awaiting, staff_user, inspector, (end, start))
    with pytest.raises(SchedulingRefused, match="end after"):
        schedule(awaiting, staff_user, inspector, (start, start))


def test_it_refuses_a_naive_datetime(awaiting, staff_user, inspector):
    start = datetime.datetime.now() + datetime.timedelta(days=2)
    with pytest.raises(SchedulingRefused):
        schedule(awaiting, staff_user, inspector, (start, start + datetime.timedelta(hours=2)))


def test_it_refuses_an_unpaid_invoice(unpaid, staff_user, inspector):
    with pytest.raises(SchedulingRefused, match="not paid"):
        schedule(unpaid, staff_user, inspector)
    assert fresh(unpaid).state == ApplicationState.AWAITING_INSPECTION
    assert not Inspection.objects.exists()


@pytest.mark.parametrize("who", ["staff_user", "applicant", "no_role_user"])
def test_it_refuses_someone_who_is_not_an_inspector(who, awaiting, staff_user, request):
    not_inspector = request.getfixturevalue(who)
    with pytest.raises(SchedulingRefused, match="not an inspector"):
        schedule(awaiting, staff_user, not_inspector)
    assert not Inspection.objects.exists()


def test_it_refuses_an_inactive_inspector(awaiting, staff_user, inspector):
    inspector.is_active = False
    inspector.save(update_fields=["is_active"])
    with pytest.raises(SchedulingRefused, match="not an inspector"):
        schedule(awaiting, staff_user, inspector)


@pytest.mark.parametrize("state", ["draft", "submitted", "under_review", "returned"])
def test_it_refuses_an_application_not_awaiting_inspection(state, applicant, staff_user, inspector):
    application = ApplicationFactory(
        organization=applicant.organization, to_state=state, paid=state != "draft"
    )
    with pytest.raises(SchedulingRefused, match="awaiting inspection"):
        schedule(application, staff_user, inspector)
    assert fresh(application).state == state


def test_it_refuses_a_second_inspection_while_one_is_scheduled(
    scheduled, staff_user, other_inspector
):
    with pytest.raises(SchedulingRefused, match="awaiting inspection"):
        schedule(scheduled.application, staff_user, other_inspector, window(days=5))


@pytest.mark.parametrize("who", ["inspector", "applicant", "outsider", "no_role_user"])
def test_only_staff_schedule(who, awaiting, inspector, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        schedule(awaiting, actor, inspector)
    assert fresh(awaiting).state == ApplicationState.AWAITING_INSPECTION


# Rescheduling ----------------------------------------------------------------------------
def test_a_reschedule_keeps_the_old_window(scheduled, staff_user):
    old_start, old_end = scheduled.window_start, scheduled.window_end
    new_start, new_end = window(days=6, hour=13, hours=2)

    moved = services.inspection_reschedule(
        inspection=scheduled,
        actor=staff_user,
        window_start=new_start,
        window_end=new_end,
        reason="The company asked for the afternoon",
    )

    assert (moved.window_start, moved.window_end) == (new_start, new_end)
    change = ScheduleChange.objects.get(inspection=scheduled)
    assert (change.old_start, change.old_end) == (old_start, old_end)
    assert (change.new_start, change.new_end) == (new_start, new_end)
    assert change.reason == "The company asked for the afternoon"
    assert change.changed_by == staff_user
    assert change.old_inspector is None
    assert fresh(scheduled).application.state == ApplicationState.INSPECTION_SCHEDULED
    event = AuditEvent.objects.for_object(scheduled).get(action="reschedule")
    assert event.note == "The company asked for the afternoon"


def test_rescheduling_twice_keeps_both_changes(scheduled, staff_user):
    for days in (3, 4):
        start, end = window(days=days)
        services.inspection_reschedule(
            inspection=scheduled, actor=staff_user, window_start=start, window_end=end, reason="x"
        )
    assert scheduled.schedule_changes.count() == 2


def test_a_reschedule_may_overlap_its_own_old_window(scheduled, staff_user):
    start = scheduled.window_start + datetime.timedelta(hours=1)
    moved = services.inspection_reschedule(
        inspection=scheduled,
        actor=staff_user,
        window_start=start,
        window_end=start + datetime.timedelta(hours=3),
        reason="An hour later",
    )
    assert moved.window_start == start


def test_a_reschedule_to_another_inspector_records_who_had_it(
    scheduled, staff_user, inspector, other_inspector
):
    start, end = window(days=3)
    moved = services.inspection_reschedule(
        inspection=scheduled,
        actor=staff_user,
        window_start=start,
        window_end=end,
        reason="Inspector ill",
        inspector=other_inspector,
    )
    assert moved.inspector == other_inspector
    assert scheduled.schedule_changes.get().old_inspector == inspector


def test_a_reschedule_refuses_a_clash_the_past_and_a_missing_reason(
    scheduled, staff_user, inspector
):
    busy = make_inspection(staff=staff_user, inspector=inspector, days=8)
    cases = [
        (SchedulingRefused, (busy.window_start, busy.window_end), "Clash"),
        (SchedulingRefused, window(days=-2), "Past"),
        (ValidationError, window(days=9), "  "),
    ]
    for error, (start, end), reason in cases:
        with pytest.raises(error):
            services.inspection_reschedule(
                inspection=scheduled,
                actor=staff_user,
                window_start=start,
                window_end=end,
                reason=reason,
            )
    assert fresh(scheduled).window_start == scheduled.window_start
    assert not ScheduleChange.objects.exists()


def test_a_reschedule_that_changes_nothing_is_refused(scheduled, staff_user):
    with pytest.raises(SchedulingRefused, match="current window"):
        services.inspection_reschedule(
            inspection=scheduled,
            actor=staff_user,
            window_start=scheduled.window_start,
            window_end=scheduled.window_end,
            reason="Oops",
        )
    assert not ScheduleChange.objects.exists()


def test_it_refuses_to_reschedule_an_inspection_under_way(in_progress, staff_user):
    start, end = window(days=3)
    with pytest.raises(NotAllowed, match="Only a scheduled inspection"):
        services.inspection_reschedule(
            inspection=in_progress,
            actor=staff_user,
            window_start=start,
            window_end=end,
            reason="x",
        )


def test_only_staff_reschedule(scheduled, inspector, applicant):
    start, end = window(days=3)
    for actor in (inspector, applicant):
        with pytest.raises(NotAllowed):
            services.inspection_reschedule(
                inspection=scheduled, actor=actor, window_start=start, window_end=end, reason="x"
            )


# Cancelling ------------------------------------------------------------------------------
def test_cancelling_returns_the_application_to_awaiting_inspection(scheduled, staff_user):
    cancelled = services.inspection_cancel(
        inspection=scheduled, actor=staff_user, reason="The premises are being renovated"
    )

    assert cancelled.state == InspectionState.CANCELLED
    assert cancelled.cancel_reason == "The premises are being renovated"
    assert fresh(scheduled.application).state == ApplicationState.AWAITING_INSPECTION
    assert AuditEvent.objects.for_object(scheduled).filter(action="cancel").exists()


def test_after_a_cancellation_a_new_inspection_can_be_scheduled(
    scheduled, staff_user, other_inspector
):
    services.inspection_cancel(inspection=scheduled, actor=staff_user, reason="x")
    again = schedule(scheduled.application, staff_user, other_inspector, window(days=4))
    assert again.pk != scheduled.pk
    assert scheduled.application.inspections.count() == 2


def test_cancelling_needs_a_reason(scheduled, staff_user):
    with pytest.raises(ValidationError):
        services.inspection_cancel(inspection=scheduled, actor=staff_user, reason=" ")
    assert fresh(scheduled).state == InspectionState.SCHEDULED


def test_it_refuses_to_cancel_an_inspection_under_way_or_done(in_progress, staff_user):
    with pytest.raises(NotAllowed):
        services.inspection_cancel(inspection=in_progress, actor=staff_user, reason="x")
    passed = make_inspection("passed", staff=staff_user)
    with pytest.raises(NotAllowed):
        services.inspection_cancel(inspection=passed, actor=staff_user, reason="x")


@pytest.mark.parametrize("who", ["inspector", "applicant", "outsider"])
def test_only_staff_cancel(who, scheduled, request):
    with pytest.raises(NotAllowed):
        services.inspection_cancel(
            inspection=scheduled, actor=request.getfixturevalue(who), reason="x"
        )
    assert fresh(scheduled).state == InspectionState.SCHEDULED


def test_cancel_refuses_a_stale_page(scheduled, staff_user):
    services.inspection_start(inspection=scheduled, actor=scheduled.inspector)
    from registrasi.services import StaleState

    with pytest.raises(StaleState):
        services.inspection_cancel(
            inspection=scheduled, actor=staff_user, reason="x", expected_state="scheduled"
        )
