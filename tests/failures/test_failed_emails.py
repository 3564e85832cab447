"""Emails that failed for good: staff see them and send them again (audited); nobody else
may; and a person retrying their own action is told it already happened."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from registrasi.audit.models import AuditEvent, EmailDelivery, EmailStatus
from registrasi.audit.services import audit_record
from registrasi.outbox.models import OutboxMessage
from registrasi.services import AlreadyDone, StaleState
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(applicant, organization):
    with transaction.atomic():
        event = audit_record(actor=applicant, action="submit", obj=organization)
    return EmailDelivery.objects.create(
        event=event,
        recipient=applicant,
        status=EmailStatus.FAILED,
        attempts=40,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )


def test_staff_see_failed_emails_and_send_one_again(client, staff_user, failed):
    client.force_login(staff_user)
    page = client.get(reverse("failed_emails")).content.decode()
    assert failed.recipient.email in page and "Connection unexpectedly closed" in page
    url = reverse("email_send_again", args=["audit.emaildelivery", failed.pk])
    assert client.post(url).status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (EmailStatus.PENDING, 0, "")
    assert failed.created_at > timezone.now() - timezone.timedelta(minutes=1)  # a new window
    (event,) = AuditEvent.objects.filter(action="email_send_again")
    assert event.actor == staff_user and event.data["attempts"] == 40
    assert OutboxMessage.objects.filter(
        task_name="registrasi.audit.tasks.send_event_emails", args=[failed.event_id]
    ).exists()
    # Sent once: a second "send again" finds nothing failed.
    client.post(url)
    assert AuditEvent.objects.filter(action="email_send_again").count() == 1


def test_others_may_not_see_or_resend_failed_emails(client, applicant, inspector, failed):
    for person in (applicant, inspector):
        client.force_login(person)
        assert client.get(reverse("failed_emails")).status_code == 403
        url = reverse("email_send_again", args=["audit.emaildelivery", failed.pk])
        assert client.post(url).status_code == 403
    failed.refresh_from_db()
    assert failed.status == EmailStatus.FAILED


def test_an_unknown_email_is_a_404(client, staff_user):
    client.force_login(staff_user)
    for kind, pk in (("audit.emaildelivery", 999), ("auth.user", 1)):
        assert client.post(reverse("email_send_again", args=[kind, pk])).status_code == 404


def test_a_person_retrying_their_own_action_is_told_it_already_happened(applicant, member):
    application = ApplicationFactory(created_by=applicant, with_documents=True)
    application_services.application_submit(
        application=application, actor=applicant, expected_state="draft"
    )
    with pytest.raises(AlreadyDone) as again:
        application_services.application_submit(
            application=application, actor=applicant, expected_state="draft"
        )
    assert "You already did this" in again.value.message
    # Someone else who saw the old page is told someone else changed it.
    with pytest.raises(StaleState) as other:
        application_services.application_submit(
            application=application, actor=member, expected_state="draft"
        )
    assert not isinstance(other.value, AlreadyDone)
    assert "someone else" in other.value.message
    assert mail.outbox == []  # no email left before the commit (db test: none committed)
