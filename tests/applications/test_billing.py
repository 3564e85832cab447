"""Billing codes on invoices and the billing system's signed callback (issue 11)."""

import datetime
import json

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications import services as app_services
from applications.billing import services
from applications.billing.models import BillingPayment, CodeStatus, PaymentOutcome
from applications.models import Application
from registrasi.audit.models import AuditEvent
from registrasi.services import NotAllowed
from tests.applications.billing_helpers import (
    live_code,
    post_callback,
    report,
    submitted_with_code,
)
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(applicant, django_capture_on_commit_callbacks):
    return submitted_with_code(applicant, django_capture_on_commit_callbacks)


def paid_via_callback(client, code, capture, **kwargs):
    with capture(execute=True):
        response = post_callback(client, report(code, **kwargs))
    return response


# The code -------------------------------------------------------------------------------
def test_submitting_issues_a_billing_code_for_the_invoice(billed):
    application, code = billed
    invoice = application.invoice
    assert code.status == CodeStatus.ACTIVE
    assert len(code.code) == 15 and code.code.isdigit()
    assert code.amount == invoice.amount
    assert code.payer_name == application.company_legal_name
    validity = code.expires_at - code.created_at
    assert validity == datetime.timedelta(days=7)
    assert code.slip_pdf.name.endswith(".pdf")
    assert code.slip_pdf.read().startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="billing_code_issued").count() == 1


def test_the_applicant_page_shows_code_amount_expiry_payer_and_how_to_pay(
    client, billed, applicant
):
    application, code = billed
    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert code.code in page
    assert "WIB" in page and "How to pay" in page
    assert reverse("billing:slip", args=[code.pk]) in page


def test_the_slip_pdf_names_the_code_and_each_channel(billed):
    from applications.billing.documents import slip_context
    from registrasi.pdf import render_pdf

    _application, code = billed
    html = render_pdf("applications/billing/slip_pdf.html", slip_context(code)).html
    assert code.code in html and "ATM" in html and "WIB" in html


def test_a_replaced_invoice_voids_its_code_and_the_new_invoice_gets_one(
    staff_user, django_capture_on_commit_callbacks
):
    from tests.applications.test_fee_repricing import change_facts, resubmit

    with django_capture_on_commit_callbacks(execute=True):
        application = ApplicationFactory(returned=True, staff=staff_user, agent_seats=10)
    old = live_code(application)
    change_facts(application)
    with django_capture_on_commit_callbacks(execute=True):
        resubmit(application)
    old.refresh_from_db()
    assert old.status == CodeStatus.VOIDED
    new = live_code(application)
    assert new.invoice_id != old.invoice_id and new.amount == new.invoice.amount


def test_an_expired_code_is_replaced_by_the_applicant(
    client, billed, applicant, django_capture_on_commit_callbacks
):
    application, code = billed
    with time_machine.travel(code.expires_at + datetime.timedelta(minutes=1)):
        client.force_login(applicant)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("billing:renew", args=[application.invoice.pk]))
        assert response.status_code == 302
    code.refresh_from_db()
    assert code.status == CodeStatus.VOIDED and code.voided_at
    new = live_code(application)
    assert new.pk != code.pk and new.status == CodeStatus.ACTIVE and new.code != code.code
    assert AuditEvent.objects.filter(action="billing_code_voided").count() == 1


def test_a_code_not_expired_is_not_replaced(billed, applicant):
    application, code = billed
    with pytest.raises(NotAllowed):
        services.billing_code_renew(invoice=application.invoice, actor=applicant)
    code.refresh_from_db()
    assert code.status == CodeStatus.ACTIVE


def test_another_organization_cannot_renew(client, billed, outsider):
    application, code = billed
    with time_machine.travel(code.expires_at + datetime.timedelta(minutes=1)):
        client.force_login(outsider)
        response = client.post(reverse("billing:renew", args=[application.invoice.pk]))
    assert response.status_code == 404


def test_the_daily_scan_voids_expired_codes_only(
    billed, applicant, django_capture_on_commit_callbacks
):
    _application, code = billed
    _other, fresh = submitted_with_code(applicant, django_capture_on_commit_callbacks)
    fresh_expiry = code.expires_at + datetime.timedelta(days=1)
    type(fresh).objects.filter(pk=fresh.pk).update(expires_at=fresh_expiry)
    with time_machine.travel(code.expires_at + datetime.timedelta(hours=1)):
        assert services.void_expired_codes() == 1
    code.refresh_from_db()
    fresh.refresh_from_db()
    assert code.status == CodeStatus.VOIDED and fresh.status == CodeStatus.ACTIVE


# The callback ---------------------------------------------------------------------------
def test_a_signed_callback_marks_the_invoice_paid(
    client, billed, applicant, django_capture_on_commit_callbacks
):
    application, code = billed
    mail.outbox.clear()
    data = report(code)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_callback(client, data)
    assert response.status_code == 200, response.content
    invoice = Application.objects.get(pk=application.pk).invoice
    assert invoice.is_paid
    payment = BillingPayment.objects.get()
    assert (payment.ntpn, payment.ntb, payment.channel) == (data["ntpn"], "123456789012", "atm")
    assert payment.outcome == PaymentOutcome.APPLIED
    assert payment.receipt_pdf.read().startswith(b"%PDF")
    code.refresh_from_db()
    assert code.status == CodeStatus.PAID
    assert AuditEvent.objects.filter(action="billing_paid").count() == 1
    recipients = {m.to[0] for m in mail.outbox}
    assert applicant.email in recipients
    assert any(m.to[0] != applicant.email for m in mail.outbox)  # staff told too


def test_scheduling_stays_refused_until_the_code_is_paid(
    client, billed, django_capture_on_commit_callbacks
):
    application, code = billed
    assert any("not paid" in b for b in app_services.readiness_blockers(application))
    paid_via_callback(client, code, django_capture_on_commit_callbacks)
    assert not any("not paid" in b for b in app_services.readiness_blockers(application))


def test_the_same_payment_reported_again_changes_nothing(
    client, billed, django_capture_on_commit_callbacks
):
    _application, code = billed
    data = report(code)
    with django_capture_on_commit_callbacks(execute=True):
        first = post_callback(client, data)
    with django_capture_on_commit_callbacks(execute=True) as again:
        second = post_callback(client, data, timestamp=int(timezone.now().timestamp()) - 5)
    assert first.status_code == second.status_code == 200
    assert BillingPayment.objects.count() == 1
    assert AuditEvent.objects.filter(action="billing_paid").count() == 1
    assert again == []


def test_a_replayed_request_is_refused(client, billed):
    _application, code = billed
    body = json.dumps(report(code)).encode()
    stamp = int(timezone.now().timestamp())
    assert post_callback(client, body=body, timestamp=stamp).status_code == 200
    assert post_callback(client, body=body, timestamp=stamp).status_code == 409


def test_a_bad_signature_is_refused(client, billed, caplog):
    application, code = billed
    response = post_callback(client, report(code), signature="0" * 64)
    assert response.status_code == 401
    assert not Application.objects.get(pk=application.pk).invoice.is_paid
    assert "bad signature" in caplog.text


def test_a_signature_with_another_secret_is_refused(client, billed, settings):
    _application, code = billed
    body = json.dumps(report(code)).encode()
    stamp = str(int(timezone.now().timestamp()))
    from applications.billing import signing

    forged = signing.signature(body, stamp, secret="not-the-secret")
    assert post_callback(client, body=body, timestamp=stamp, signature=forged).status_code == 401


def test_a_stale_timestamp_is_refused(client, billed):
    application, code = billed
    old = int(timezone.now().timestamp()) - 301
    assert post_callback(client, report(code), timestamp=old).status_code == 401
    assert BillingPayment.objects.count() == 0


def test_a_timestamp_within_five_minutes_is_accepted(client, billed):
    _application, code = billed
    recent = int(timezone.now().timestamp()) - 290
    assert post_callback(client, report(code), timestamp=recent).status_code == 200


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'"text"', json.dumps({"billing_code": "1"}).encode(), b"\xff\xfe"],
)
def test_malformed_bodies_are_refused(client, billed, body):
    assert post_callback(client, body=body).status_code == 400
    assert BillingPayment.objects.count() == 0


def test_a_huge_body_is_refused(client, billed):
    body = b"{" + b" " * (20 * 1024) + b"}"
    assert post_callback(client, body=body).status_code == 413


def test_an_unknown_code_is_404_and_logged(client, billed, caplog):
    _application, code = billed
    data = report(code)
    data["billing_code"] = "999999999999999"
    assert post_callback(client, data).status_code == 404
    assert "unknown billing code" in caplog.text
    assert BillingPayment.objects.count() == 0


def test_a_wrong_amount_is_a_discrepancy_not_a_payment(
    client, billed, django_capture_on_commit_callbacks
):
    application, code = billed
    response = paid_via_callback(
        client, code, django_capture_on_commit_callbacks, amount=code.amount - 1000
    )
    assert response.status_code == 200
    payment = BillingPayment.objects.get()
    assert payment.outcome == PaymentOutcome.DISCREPANCY and payment.discrepancy_reason == "amount"
    assert not Application.objects.get(pk=application.pk).invoice.is_paid
    assert AuditEvent.objects.filter(action="billing_discrepancy").count() == 1


def test_paying_an_expired_code_is_a_discrepancy(
    client, billed, django_capture_on_commit_callbacks
):
    application, code = billed
    late = code.expires_at + datetime.timedelta(minutes=5)
    with time_machine.travel(late):
        paid_via_callback(client, code, django_capture_on_commit_callbacks, paid_at=late)
    assert BillingPayment.objects.get().discrepancy_reason == "expired"
    assert not Application.objects.get(pk=application.pk).invoice.is_paid


def test_paying_a_voided_code_is_a_discrepancy(
    client, billed, applicant, django_capture_on_commit_callbacks
):
    application, code = billed
    with time_machine.travel(code.expires_at + datetime.timedelta(minutes=1)):
        services.void_expired_codes()
    paid_via_callback(client, code, django_capture_on_commit_callbacks)
    assert BillingPayment.objects.get().discrepancy_reason == "voided"
    assert not Application.objects.get(pk=application.pk).invoice.is_paid


def test_a_logged_in_session_does_not_open_the_callback(client, billed, staff_user):
    _application, code = billed
    client.force_login(staff_user)
    response = client.post(
        reverse("billing:callback"), json.dumps(report(code)), content_type="application/json"
    )
    assert response.status_code == 401


def test_the_callback_answers_only_post(client):
    assert client.get(reverse("billing:callback")).status_code == 405


def test_an_invoice_replaced_while_its_code_is_pending_voids_the_pending_code(staff_user):
    from tests.applications.test_fee_repricing import change_facts, resubmit

    application = ApplicationFactory(returned=True, staff=staff_user, agent_seats=10)
    pending = live_code(application)
    assert pending.status == CodeStatus.PENDING  # the task never ran (no commit here)
    change_facts(application)
    resubmit(application)
    pending.refresh_from_db()
    assert pending.status == CodeStatus.VOIDED and pending.code is None
