"""The service helpers every app shares (registrasi.services): each rule once, tested once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from applications.constants import ApplicationState
from registrasi import outbox
from registrasi.audit.models import AuditEvent
from registrasi.services import (
    NotAllowed,
    StaleState,
    Transitioned,
    notify,
    refuse_if_stale,
    refuse_unless_perm,
    require_text,
    run_transition,
)
from tests.applications.factories import ApplicationFactory, advance


@pytest.fixture
def submitted(applicant, organization):
    application = ApplicationFactory(organization=organization, created_by=applicant)
    return advance(application, ApplicationState.SUBMITTED, applicant=applicant)


def test_run_transition_returns_the_saved_object_and_its_audit_event(submitted, staff_user):
    with transaction.atomic():
        done = run_transition(obj=submitted, name="start_review", actor=staff_user)
    assert isinstance(done, Transitioned)
    assert done.obj.state == ApplicationState.UNDER_REVIEW
    assert done.event == AuditEvent.objects.for_object(submitted).order_by("-id").first()
    assert (done.event.action, done.event.actor) == ("start_review", staff_user)


def test_a_transition_records_when_the_state_changed(submitted, staff_user):
    """Application.state_changed_at (the desk's "since") is the time of the transition, the
    same as its audit event's, whatever else the transition saves."""
    before = submitted.state_changed_at
    with transaction.atomic():
        done = run_transition(obj=submitted, name="start_review", actor=staff_user)
    submitted.refresh_from_db()
    assert submitted.state_changed_at > before
    assert abs(submitted.state_changed_at - done.event.created_at).total_seconds() < 1


def test_a_refused_transition_leaves_the_time_of_the_last_change(submitted, staff_user):
    before = submitted.state_changed_at
    with pytest.raises(NotAllowed), transaction.atomic():
        run_transition(obj=submitted, name="approve", actor=staff_user)
    submitted.refresh_from_db()
    assert (submitted.state, submitted.state_changed_at) == (ApplicationState.SUBMITTED, before)


def test_before_save_may_change_the_fields_it_lists(submitted, staff_user):
    def set_reference(locked):
        locked.reference = "REG-LISTED"

    with transaction.atomic():
        run_transition(
            obj=submitted,
            name="start_review",
            actor=staff_user,
            before_save=set_reference,
            update_fields=["reference"],
        )
    submitted.refresh_from_db()
    assert submitted.reference == "REG-LISTED"


def test_before_save_changing_an_unlisted_field_is_refused_and_nothing_is_written(
    submitted, staff_user
):
    def set_reference(locked):
        locked.reference = "REG-LOST"

    with pytest.raises(RuntimeError, match="reference"), transaction.atomic():
        run_transition(
            obj=submitted, name="start_review", actor=staff_user, before_save=set_reference
        )
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED
    assert submitted.reference != "REG-LOST"


def test_refuse_unless_perm(staff_user, applicant):
    refuse_unless_perm(staff_user, "applications.add_payment")
    with pytest.raises(NotAllowed):
        refuse_unless_perm(applicant, "applications.add_payment")
    with pytest.raises(NotAllowed):
        refuse_unless_perm(None, "applications.add_payment")


def test_require_text_strips_and_refuses_blank():
    assert require_text("  because  ") == "because"
    with pytest.raises(ValidationError) as refused:
        require_text("   ", field="note", message="Say why.")
    assert refused.value.message_dict == {"note": ["Say why."]}


def test_refuse_if_stale_names_the_state_now(submitted):
    refuse_if_stale(submitted, ApplicationState.SUBMITTED)
    refuse_if_stale(submitted, None)
    with pytest.raises(StaleState) as stale:
        refuse_if_stale(submitted, ApplicationState.DRAFT)
    assert stale.value.current_state == ApplicationState.SUBMITTED


def test_notify_enqueues_only_the_emails_an_app_declares(submitted, staff_user):
    with transaction.atomic():
        done = run_transition(obj=submitted, name="start_review", actor=staff_user)
        declared = AuditEvent.objects.filter(object_id=str(submitted.pk), action="submit").first()
        before = outbox.pending().count()
        notify(done.event)  # "start_review" is not emailed (applications.notifications.SUBJECTS)
        assert outbox.pending().count() == before
        notify(declared)  # "submit" is
        assert outbox.pending().count() == before + 1
