import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from inspections import services
from inspections.constants import Requirement
from inspections.tasks import send_inspection_event_email
from registrasi.audit.models import AuditEvent
from tests.inspections.factories import make_inspection, record_all, window


@pytest.fixture
def languages(applicant, member, inspector):
    """The owner reads Indonesian, the member and the inspector English."""
    for user, language in ((applicant, "id"), (member, "en"), (inspector, "en")):
        user.language = language
        user.save(update_fields=["language"])


def day_name(moment, language):
    with translation.override(language):
        return date_format(timezone.localtime(moment), "l")


def mail_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_scheduling_emails_members_and_inspector_after_commit(
    awaiting,
    staff_user,
    inspector,
    applicant,
    member,
    languages,
    django_capture_on_commit_callbacks,
):
    start, end = window(days=2, hour=9)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.inspection_schedule(
            application=awaiting,
            actor=staff_user,
            inspector=inspector,
            window_start=start,
            window_end=end,
        )
    assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [applicant.email, member.email, inspector.email]
    )
    assert day_name(start, "id") != day_name(start, "en")
    assert day_name(start, "id") in mail_to(applicant.email)[0].body
    assert day_name(start, "en") in mail_to(member.email)[0].body
    assert day_name(start, "en") in mail_to(inspector.email)[0].body
    assert awaiting.reference in mail_to(member.email)[0].subject
    assert "You have been assigned" in mail_to(inspector.email)[0].body
    assert "scheduled the inspection of your premises" in mail_to(member.email)[0].body
    assert staff_user.email not in [m.to[0] for m in mail.outbox]


def test_nothing_is_sent_when_the_transaction_rolls_back(
    awaiting, staff_user, inspector, django_capture_on_commit_callbacks
):
    from django.db import transaction

    start, end = window(days=2)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.inspection_schedule(
            application=awaiting,
            actor=staff_user,
            inspector=inspector,
            window_start=start,
            window_end=end,
        )
        raise RuntimeError("boom")
    assert mail.outbox == []


def test_a_reschedule_emails_the_new_and_the_previous_inspector(
    scheduled,
    staff_user,
    inspector,
    other_inspector,
    member,
    languages,
    django_capture_on_commit_callbacks,
):
    other_inspector.language = "en"
    other_inspector.save(update_fields=["language"])
    start, end = window(days=4)
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_reschedule(
            inspection=scheduled,
            actor=staff_user,
            window_start=start,
            window_end=end,
            reason="Public holiday",
            inspector=other_inspector,
        )
    recipients = {m.to[0] for m in mail.outbox}
    assert {inspector.email, other_inspector.email, member.email} <= recipients
    assert "Public holiday" in mail_to(member.email)[0].body
    assert "moved to a new date" in mail_to(member.email)[0].body
    assert "no longer need to attend" in mail_to(inspector.email)[0].body
    assert "no longer" not in mail_to(other_inspector.email)[0].body


def test_a_cancellation_tells_everyone_the_reason(
    scheduled, staff_user, inspector, applicant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_cancel(inspection=scheduled, actor=staff_user, reason="Flooding")
    assert {inspector.email, applicant.email} <= {m.to[0] for m in mail.outbox}
    assert all("Flooding" in m.body for m in mail.outbox)


def test_the_outcome_is_emailed_to_the_members_only(
    in_progress, applicant, member, inspector, languages, django_capture_on_commit_callbacks
):
    record_all(in_progress, majors=[Requirement.SOPS])
    services.findings_save_draft(
        inspection=in_progress, actor=inspector, corrective_actions="Write and train the SOPs."
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_submit(inspection=in_progress, actor=inspector)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, member.email])
    body = mail_to(member.email)[0].body
    assert "did not pass" in body
    assert "Write and train the SOPs." in body
    assert "SOPs written and followed" in body


def test_a_pass_is_emailed_too(in_progress, member, languages, django_capture_on_commit_callbacks):
    record_all(in_progress)
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_submit(inspection=in_progress, actor=in_progress.inspector)
    assert "passed its inspection" in mail_to(member.email)[0].body


def test_the_email_task_is_idempotent(awaiting, staff_user, inspector, applicant):
    inspection = make_inspection(application=awaiting, staff=staff_user, inspector=inspector)
    event = AuditEvent.objects.for_object(inspection).get(action="schedule")

    assert send_inspection_event_email.delay(event.pk).get() == 2
    assert send_inspection_event_email.delay(event.pk).get() == 0
    assert len(mail.outbox) == 2


def test_the_email_task_ignores_events_it_does_not_know(scheduled):
    event = AuditEvent.objects.for_object(scheduled.application).get(action="schedule")
    assert send_inspection_event_email(event.pk) == 0
    assert send_inspection_event_email(999_999) == 0
