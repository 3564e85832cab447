import datetime
from smtplib import SMTPException

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from applications import services
from applications.models import Invoice
from applications.notifications import send_event_emails
from applications.tasks import send_application_event_email
from registrasi.audit.models import AuditEvent, EmailDelivery
from registrasi.audit.selectors import timeline_for
from tests.applications.factories import ApplicationFactory, review_all_documents
from tests.factories import make_applicant

MARCH = datetime.datetime(2026, 3, 2, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture
def people(organization):
    """An Indonesian-speaking owner and an English-speaking member of the organization."""
    owner = make_applicant(organization, owner=True, language="id")
    english = make_applicant(organization, owner=False, language="en")
    return owner, english


def by_recipient():
    return {message.to[0]: message for message in mail.outbox}


def test_submission_emails_every_member_once_after_commit_in_their_language(
    people, django_capture_on_commit_callbacks
):
    owner, english = people
    application = ApplicationFactory(created_by=owner, with_documents=True)
    with time_machine.travel(MARCH), django_capture_on_commit_callbacks() as callbacks:
        services.application_submit(application=application, actor=owner)
        assert mail.outbox == []  # nothing before the transaction commits
    assert len(callbacks) == 1
    with time_machine.travel(MARCH):
        for callback in callbacks:
            callback()
    messages = by_recipient()
    assert set(messages) == {owner.email, english.email}
    reference = Invoice.objects.get().application.reference
    invoice_number = Invoice.objects.get().number
    assert messages[english.email].subject == f"Application {reference} received"
    assert "16 March 2026" in messages[english.email].body
    assert "16 Maret 2026" in messages[owner.email].body
    for message in messages.values():
        assert reference in message.subject
        assert invoice_number in message.body
        assert "Rp 5.000.000" in message.body
        assert f"/applications/{application.pk}/" in message.body


def test_running_the_task_again_sends_nothing_twice(people, django_capture_on_commit_callbacks):
    owner, _english = people
    application = ApplicationFactory(created_by=owner, with_documents=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=owner)
    assert len(mail.outbox) == 2
    event = timeline_for(application).get(action="submit")
    assert send_application_event_email.delay(event.pk).get() == 0
    assert send_event_emails(event.pk) == 0
    assert len(mail.outbox) == 2
    assert EmailDelivery.objects.filter(event=event).count() == 2


def test_a_rolled_back_transition_sends_nothing(people, django_capture_on_commit_callbacks):
    owner, _english = people
    application = ApplicationFactory(created_by=owner, with_documents=True)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.application_submit(application=application, actor=owner)
        raise RuntimeError("something later in the request failed")
    assert callbacks == []
    assert mail.outbox == []


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise SMTPException("mail server down")


def test_a_failed_send_is_not_recorded_so_the_retry_sends(
    people, settings, django_capture_on_commit_callbacks
):
    owner, _english = people
    application = ApplicationFactory(created_by=owner, with_documents=True)
    with django_capture_on_commit_callbacks(execute=False):
        services.application_submit(application=application, actor=owner)
    event = timeline_for(application).get(action="submit")
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with pytest.raises(SMTPException):
        send_event_emails(event.pk)
    # The receipt stays pending (not sent) for the retry.
    assert not EmailDelivery.objects.filter(status="sent").exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_event_emails(event.pk) == 2


def test_the_task_is_acks_late_and_retries_with_backoff():
    task = send_application_event_email
    assert task.acks_late is True
    assert SMTPException in task.autoretry_for
    assert task.retry_backoff
    # Retried until settings.EMAIL_RETRY_HOURS have passed (registrasi.notifications).
    assert task.max_retries is None


def _run(name, application, owner, staff):
    if name == "return_for_changes":
        services.application_return_for_changes(
            application=application, actor=staff, reason="Send the NIB again."
        )
    elif name == "accept":
        review_all_documents(application, staff)
        services.application_accept(application=application, actor=staff)
    elif name == "reject":
        services.application_reject(application=application, actor=staff, reason="Fraud.")
    elif name == "withdraw":
        services.application_withdraw(application=application, actor=owner, reason="Closed.")
    elif name == "payment_recorded":
        invoice = Invoice.objects.get(application=application)
        services.invoice_record_payment(
            invoice=invoice,
            actor=staff,
            paid_on=timezone.localdate(),
            reference="TRF-9",
            amount=invoice.amount,
        )


@pytest.mark.parametrize(
    ("name", "subject", "in_body"),
    [
        ("return_for_changes", "changes requested", "Send the NIB again."),
        ("accept", "accepted for inspection", "inspection"),
        ("reject", "rejected", "Fraud."),
        ("withdraw", "withdrawn", "Closed."),
        ("payment_recorded", "Payment received", "Rp 5.000.000"),
    ],
)
def test_each_transition_that_concerns_the_applicant_is_emailed(
    people, staff_user, django_capture_on_commit_callbacks, name, subject, in_body
):
    owner, english = people
    application = ApplicationFactory(created_by=owner, under_review=True, staff=staff_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _run(name, application, owner, staff_user)
    assert len(mail.outbox) == 2
    message = by_recipient()[english.email]
    assert subject in message.subject
    assert in_body in message.body


def test_staff_only_steps_send_no_email(people, staff_user, django_capture_on_commit_callbacks):
    owner, _english = people
    application = ApplicationFactory(created_by=owner, submitted=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_start_review(application=application, actor=staff_user)
    assert mail.outbox == []


def test_inactive_members_and_other_organizations_get_nothing(
    people, outsider, django_capture_on_commit_callbacks
):
    owner, english = people
    english.is_active = False
    english.save(update_fields=["is_active"])
    application = ApplicationFactory(created_by=owner, with_documents=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=owner)
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_an_unknown_or_foreign_event_sends_nothing(db):
    assert send_event_emails(999_999) == 0
    with transaction.atomic():
        from registrasi.audit.services import audit_record

        event = audit_record(actor=None, action="submit", obj=None)
    assert send_event_emails(event.pk) == 0
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_return_email_lists_the_rejected_documents_and_the_note(
    people, staff_user, django_capture_on_commit_callbacks
):
    owner, english = people
    with django_capture_on_commit_callbacks(execute=True):
        ApplicationFactory(created_by=owner, returned=True, staff=staff_user)
    message = next(m for m in mail.outbox if m.to == [english.email] and "changes" in m.subject)
    assert "Please send a readable NIB." in message.body
    assert "Business identification number (NIB): Unreadable scan" in message.body


def test_plain_text_emails_are_not_html_escaped(
    organization, people, django_capture_on_commit_callbacks
):
    owner, _english = people
    organization.legal_name = "PT Suara & Layanan <Nusantara>"
    organization.save(update_fields=["legal_name"])
    application = ApplicationFactory(created_by=owner, with_documents=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=owner)
    assert "PT Suara & Layanan <Nusantara>" in mail.outbox[0].body
    assert "&amp;" not in mail.outbox[0].body
