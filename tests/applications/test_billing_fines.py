"""Fines are paid with a billing code like the fee: paying it closes the fine (issue 11)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.billing.models import BillingCode, BillingPayment, CodeStatus, PaymentOutcome
from certificates import services as certificate_services
from registrasi.audit.models import AuditEvent
from tests.applications.billing_helpers import post_callback, report
from tests.certificates.factories import make_certificate

pytestmark = pytest.mark.django_db
ISSUED = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture
def fine(organization, applicant, staff_user, django_capture_on_commit_callbacks):
    with time_machine.travel(ISSUED):
        certificate = make_certificate(organization=organization, quick=True, staff=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        return certificate_services.fine_impose(
            certificate=certificate,
            actor=staff_user,
            amount=1_500_000,
            due_date=timezone.localdate() + datetime.timedelta(days=30),
            reason="Calls at night without consent.",
        )


def test_a_fine_gets_a_billing_code_and_a_slip(fine):
    code = BillingCode.objects.get(sanction=fine)
    assert code.status == CodeStatus.ACTIVE and code.amount == 1_500_000
    assert code.payer_name == fine.certificate.legal_name
    assert code.reference == f"FINE-{fine.pk}" and code.slip_pdf


def test_paying_the_code_closes_the_fine(
    client, fine, applicant, django_capture_on_commit_callbacks
):
    code = BillingCode.objects.get(sanction=fine)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert post_callback(client, report(code)).status_code == 200
    fine.refresh_from_db()
    assert fine.is_paid
    payment = BillingPayment.objects.get()
    assert payment.outcome == PaymentOutcome.APPLIED and payment.receipt_pdf
    event = AuditEvent.objects.for_object(fine.certificate).get(action="fine_paid")
    assert event.data["ntpn"] == payment.ntpn and event.actor is None
    assert applicant.email in {m.to[0] for m in mail.outbox}


def test_a_wrong_amount_leaves_the_fine_open(client, fine, django_capture_on_commit_callbacks):
    code = BillingCode.objects.get(sanction=fine)
    with django_capture_on_commit_callbacks(execute=True):
        post_callback(client, report(code, amount=1_000_000))
    fine.refresh_from_db()
    assert not fine.is_paid
    assert BillingPayment.objects.get().discrepancy_reason == "amount"


def test_a_fine_code_is_404_for_another_organization(client, fine, outsider, applicant):
    code = BillingCode.objects.get(sanction=fine)
    client.force_login(outsider)
    assert client.get(reverse("billing:slip", args=[code.pk])).status_code == 404
    client.force_login(applicant)
    assert client.get(reverse("billing:slip", args=[code.pk])).status_code == 200


def test_the_holder_sees_the_fine_code_on_the_certificate_page(client, fine, applicant):
    code = BillingCode.objects.get(sanction=fine)
    client.force_login(applicant)
    page = client.get(reverse("certificates:detail", args=[fine.certificate_id])).content.decode()
    assert code.code in page and reverse("billing:slip", args=[code.pk]) in page
