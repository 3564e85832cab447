import datetime

import pytest
import time_machine
from django.core import mail

from certificates import services
from certificates.constants import CertificateState, SanctionKind, VerificationStatus
from certificates.models import Certificate, Sanction
from certificates.tasks import daily_scan
from certificates.verification import verify_number
from registrasi.audit.models import AuditEvent
from tests.certificates.factories import make_certificate

pytestmark = pytest.mark.django_db
S = CertificateState
ISSUED = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)
REASON = "Data protection officer not appointed."


def at(day):
    """09:00 in Jakarta on `day`."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(2, 0), tzinfo=datetime.UTC)
    )


@pytest.fixture
def certificate(organization, applicant, staff_user):
    with time_machine.travel(ISSUED):
        return make_certificate(organization=organization, quick=True, staff=staff_user)


def test_a_suspension_ends_on_its_planned_date(certificate, staff_user):
    with at(datetime.date(2026, 5, 1)):
        services.certificate_suspend(
            certificate=certificate,
            actor=staff_user,
            reason=REASON,
            until=datetime.date(2026, 5, 31),
        )
    with at(datetime.date(2026, 5, 31)):
        assert daily_scan.delay().get() == {
            "lifted": 0,
            "handed_over": 0,
            "expired": 0,
            "reminders": 0,
        }
    with at(datetime.date(2026, 6, 1)):
        assert daily_scan.delay().get() == {
            "lifted": 1,
            "handed_over": 0,
            "expired": 0,
            "reminders": 0,
        }
        assert daily_scan.delay().get() == {
            "lifted": 0,
            "handed_over": 0,
            "expired": 0,
            "reminders": 0,
        }  # idempotent
        assert verify_number(certificate.number).status == VerificationStatus.VALID
    event = AuditEvent.objects.for_object(certificate).get(action="lift_suspension")
    assert event.actor is None and event.to_state == S.ACTIVE
    reinstatement = Sanction.objects.get(kind=SanctionKind.REINSTATEMENT)
    assert reinstatement.created_by is None


def test_a_suspension_without_an_end_waits_for_staff(certificate, staff_user):
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    with at(datetime.date(2027, 1, 1)):
        assert services.suspensions_lift_ended() == 0
    assert Certificate.objects.get(pk=certificate.pk).state == S.SUSPENDED


def test_a_later_open_ended_suspension_is_not_lifted_by_an_earlier_end(certificate, staff_user):
    with at(datetime.date(2026, 5, 1)):
        services.certificate_suspend(
            certificate=certificate,
            actor=staff_user,
            reason=REASON,
            until=datetime.date(2026, 5, 10),
        )
    with at(datetime.date(2026, 5, 5)):
        services.certificate_reinstate(certificate=certificate, actor=staff_user, reason="Fixed")
        services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    with at(datetime.date(2026, 6, 1)):
        assert services.suspensions_lift_ended() == 0
    assert Certificate.objects.get(pk=certificate.pk).state == S.SUSPENDED


def test_the_scan_expires_certificates_the_day_after_their_last_day(
    certificate, django_capture_on_commit_callbacks
):
    with at(datetime.date(2031, 3, 31)):
        assert daily_scan.delay().get()["expired"] == 0
    with at(datetime.date(2031, 4, 1)):
        assert daily_scan.delay().get()["expired"] == 1
    certificate.refresh_from_db()
    assert certificate.state == S.EXPIRED
    assert AuditEvent.objects.for_object(certificate).filter(action="expire").count() == 1


def test_the_reinstatement_by_the_scan_is_announced(
    certificate, staff_user, applicant, django_capture_on_commit_callbacks
):
    with at(datetime.date(2026, 5, 1)):
        services.certificate_suspend(
            certificate=certificate,
            actor=staff_user,
            reason=REASON,
            until=datetime.date(2026, 5, 2),
        )
    applicant.language = "en"  # the words checked below, whatever the Indonesian catalogue
    applicant.save(update_fields=["language"])
    mail.outbox.clear()
    with at(datetime.date(2026, 5, 3)), django_capture_on_commit_callbacks(execute=True):
        services.suspensions_lift_ended()
    (message,) = mail.outbox
    assert "reinstated" in message.subject and message.to == [applicant.email]
