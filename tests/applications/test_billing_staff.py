"""Billing pages: tenancy of invoices, slips and receipts; the simulator's payment page;
the staff payments page, office payments with an NTPN, resolving discrepancies."""

import contextlib
import datetime

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.billing import services, simulator
from applications.billing.models import BillingPayment, PaymentOutcome
from applications.models import Application
from registrasi.audit.models import AuditEvent
from tests.applications.billing_helpers import (
    new_ntpn,
    post_callback,
    report,
    submitted_with_code,
)
from tests.applications.factories import pdf_upload
from tests.bulk import copies_of_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(applicant, django_capture_on_commit_callbacks):
    return submitted_with_code(applicant, django_capture_on_commit_callbacks)


@pytest.fixture
def paid(client, billed, django_capture_on_commit_callbacks):
    application, code = billed
    with django_capture_on_commit_callbacks(execute=True):
        assert post_callback(Client(), report(code)).status_code == 200
    return application, code, BillingPayment.objects.get()


# Tenancy --------------------------------------------------------------------------------
def _urls(application, code, payment):
    return [
        reverse("billing:panel", args=[application.invoice.pk]),
        reverse("billing:slip", args=[code.pk]),
        reverse("billing:receipt", args=[payment.pk]),
    ]


def test_the_owner_and_a_member_get_invoice_slip_and_receipt(client, paid, applicant, member):
    application, code, payment = paid
    for user in (applicant, member):
        client.force_login(user)
        for url in _urls(application, code, payment):
            response = client.get(url)
            assert response.status_code == 200, url
    assert (
        b"".join(client.get(_urls(application, code, payment)[2]).streaming_content)[:4] == b"%PDF"
    )


@pytest.mark.parametrize("who", ["outsider", "no_role_user"])
def test_another_organization_or_no_role_gets_404(client, paid, who, request):
    application, code, payment = paid
    client.force_login(request.getfixturevalue(who))
    for url in _urls(application, code, payment):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("billing:simulator", args=[code.pk])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, paid):
    application, code, payment = paid
    for url in _urls(application, code, payment):
        assert client.get(url).status_code == 302


def test_the_paid_panel_shows_ntpn_and_the_receipt_and_stops_polling(client, paid, applicant):
    application, _code, payment = paid
    client.force_login(applicant)
    page = client.get(reverse("billing:panel", args=[application.invoice.pk])).content.decode()
    assert payment.ntpn in page and reverse("billing:receipt", args=[payment.pk]) in page
    assert "hx-trigger" not in page


def test_the_unpaid_panel_polls(client, billed, applicant):
    application, _code = billed
    client.force_login(applicant)
    page = client.get(reverse("billing:panel", args=[application.invoice.pk])).content.decode()
    assert 'hx-trigger="every 3s"' in page


# The simulator --------------------------------------------------------------------------
@pytest.fixture
def callback_through_test_client(monkeypatch):
    """The simulator's HTTP POST, delivered to the test client (same body and headers)."""

    def send(url, body, headers):
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        response = Client().post(
            reverse("billing:callback"), body, content_type="application/json", **extra
        )
        return simulator.Answer(status=response.status_code, text=response.content.decode())

    monkeypatch.setattr(simulator, "send", send)


def test_staff_pay_through_the_simulator(
    client, billed, staff_user, callback_through_test_client, django_capture_on_commit_callbacks
):
    application, code = billed
    client.force_login(staff_user)
    url = reverse("billing:simulator", args=[code.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"channel": "atm", "amount": code.amount})
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).invoice.is_paid


def test_applicants_use_the_simulator_only_when_allowed(client, billed, applicant, settings):
    _application, code = billed
    client.force_login(applicant)
    url = reverse("billing:simulator", args=[code.pk])
    settings.BILLING_SIMULATOR_FOR_APPLICANTS = True
    assert client.get(url).status_code == 200
    settings.BILLING_SIMULATOR_FOR_APPLICANTS = False
    assert client.get(url).status_code == 404


def test_no_simulator_with_the_http_backend(client, billed, staff_user, settings):
    _application, code = billed
    settings.BILLING_BACKEND = "http"
    client.force_login(staff_user)
    assert client.get(reverse("billing:simulator", args=[code.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_simulator_sends_the_signed_callback_over_http(live_server, applicant, settings):
    # Outside a test transaction the commits are real: on_commit work runs by itself.
    application, code = submitted_with_code(applicant, lambda execute: contextlib.nullcontext())
    url = live_server.url + reverse("billing:callback")
    answer = simulator.pay(code=code, amount=code.amount, channel="atm", callback_url=url)
    assert answer.ok, answer.text
    assert Application.objects.get(pk=application.pk).invoice.is_paid
    assert requests.get(url, timeout=5).status_code == 405


# Staff payments page --------------------------------------------------------------------
def test_applicants_and_inspectors_may_not_see_the_payments_page(client, applicant, inspector):
    for user in (applicant, inspector):
        client.force_login(user)
        assert client.get(reverse("billing:payments")).status_code == 403


@pytest.mark.parametrize("view", ["unpaid", "expiring", "paid", "discrepancies", "voided"])
def test_each_view_of_the_payments_page_lists_its_rows(
    client, staff_user, paid, view, applicant, django_capture_on_commit_callbacks
):
    application, code, payment = paid
    _other, unpaid = submitted_with_code(applicant, django_capture_on_commit_callbacks)
    client.force_login(staff_user)
    page = client.get(reverse("billing:payments"), {"view": view}).content.decode()
    if view == "paid":
        assert code.code in page and unpaid.code not in page
    elif view == "unpaid":
        assert unpaid.code in page and code.code not in page
    else:
        assert code.code not in page


def test_the_expiring_today_view_lists_codes_expiring_before_midnight(client, staff_user, billed):
    _application, code = billed
    soon = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    if soon <= timezone.now():
        soon = timezone.now() + datetime.timedelta(seconds=30)
    type(code).objects.filter(pk=code.pk).update(expires_at=soon)
    client.force_login(staff_user)
    page = client.get(reverse("billing:payments"), {"view": "expiring"}).content.decode()
    assert code.code in page


def test_the_payments_page_searches(
    client, staff_user, applicant, django_capture_on_commit_callbacks
):
    _a, one = submitted_with_code(applicant, django_capture_on_commit_callbacks)
    _b, two = submitted_with_code(applicant, django_capture_on_commit_callbacks)
    client.force_login(staff_user)
    page = client.get(reverse("billing:payments"), {"q": one.code}).content.decode()
    assert one.code in page and two.code not in page


@pytest.mark.parametrize("rows", [5, 50])
def test_payments_page_query_count_does_not_grow(
    client, staff_user, applicant, rows, django_assert_num_queries
):
    from tests.applications.factories import ApplicationFactory

    first = ApplicationFactory(submitted=True, created_by=applicant)  # codes stay pending
    copies_of_application(first, rows - 1)  # tests.bulk: with their invoices and codes
    client.force_login(staff_user)
    client.get(reverse("billing:payments"))  # warm the session and permission caches
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("billing:payments"))
    assert response.status_code == 200
    assert response.content.decode().count("data-code=") == min(rows, 25)


@pytest.mark.parametrize("rows", [5, 50])
def test_discrepancies_query_count_does_not_grow(
    client,
    staff_user,
    applicant,
    rows,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    _application, code = submitted_with_code(applicant, django_capture_on_commit_callbacks)
    for _ in range(rows):
        services.payment_receive(
            code=code.code,
            ntpn=new_ntpn(),
            ntb="1",
            channel="atm",
            amount=1,
            paid_at=timezone.now(),
            source="callback",
        )
    client.force_login(staff_user)
    client.get(reverse("billing:payments"), {"view": "discrepancies"})
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("billing:payments"), {"view": "discrepancies"})
    assert response.content.decode().count("data-payment=") == min(rows, 25)


QUERIES = 8  # the same for 5 rows and for 50: related rows come in the list query


# Office payments ------------------------------------------------------------------------
def _office(client, invoice, **overrides):
    data = {
        "ntpn": new_ntpn(),
        "ntb": "998877",
        "channel": "teller",
        "paid_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "receipt_scan": pdf_upload("receipt.pdf"),
        **overrides,
    }
    return client.post(reverse("billing:office_payment", args=[invoice.pk]), data)


def test_staff_record_an_office_payment_with_an_ntpn_and_a_scan(
    client, billed, staff_user, django_capture_on_commit_callbacks
):
    application, _code = billed
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _office(
            client,
            application.invoice,
            paid_at=(timezone.localtime() - datetime.timedelta(minutes=5)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    payment = BillingPayment.objects.get()
    assert payment.source == "office" and payment.recorded_by == staff_user and payment.receipt_scan
    assert Application.objects.get(pk=application.pk).invoice.is_paid


@pytest.mark.parametrize(
    "ntpn", ["123", "ABCDEFGHIJKLMNO!", "12345678901234567", "1234 5678 9012 3"]
)
def test_an_office_payment_with_a_malformed_ntpn_is_refused(client, billed, staff_user, ntpn):
    application, _code = billed
    client.force_login(staff_user)
    assert _office(client, application.invoice, ntpn=ntpn).status_code == 400
    assert not BillingPayment.objects.exists()


def test_an_office_payment_with_a_known_ntpn_is_refused(
    client, paid, staff_user, applicant, django_capture_on_commit_callbacks
):
    _application, _code, payment = paid
    other, _c = submitted_with_code(applicant, django_capture_on_commit_callbacks)
    client.force_login(staff_user)
    response = _office(client, other.invoice, ntpn=payment.ntpn)
    assert response.status_code == 400
    assert BillingPayment.objects.count() == 1


def test_an_office_payment_without_a_scan_is_refused(client, billed, staff_user):
    application, _code = billed
    client.force_login(staff_user)
    data = {"receipt_scan": ""}
    assert _office(client, application.invoice, **data).status_code == 400


def test_an_applicant_cannot_record_an_office_payment(client, billed, applicant):
    application, _code = billed
    client.force_login(applicant)
    assert _office(client, application.invoice).status_code == 403


# Discrepancies --------------------------------------------------------------------------
def _discrepancy(code, amount):
    payment, _ = services.payment_receive(
        code=code.code,
        ntpn=new_ntpn(),
        ntb="1",
        channel="atm",
        amount=amount,
        paid_at=timezone.now(),
        source="callback",
    )
    return payment


def test_staff_apply_an_overpayment_to_the_invoice(
    client, billed, staff_user, django_capture_on_commit_callbacks
):
    application, code = billed
    payment = _discrepancy(code, code.amount + 5000)
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("billing:resolve", args=[payment.pk]),
            {"decision": "apply", "note": "Paid a little more; refund the rest separately."},
        )
    payment.refresh_from_db()
    assert payment.outcome == PaymentOutcome.RESOLVED_APPLIED
    assert Application.objects.get(pk=application.pk).invoice.is_paid
    event = AuditEvent.objects.get(action="billing_discrepancy_applied")
    assert event.actor == staff_user and "refund the rest" in event.note


def test_an_underpayment_cannot_be_applied_only_refunded(client, billed, staff_user):
    application, code = billed
    payment = _discrepancy(code, code.amount - 5000)
    client.force_login(staff_user)
    client.post(reverse("billing:resolve", args=[payment.pk]), {"decision": "apply", "note": "x"})
    payment.refresh_from_db()
    assert payment.outcome == PaymentOutcome.DISCREPANCY
    client.post(
        reverse("billing:resolve", args=[payment.pk]),
        {"decision": "refund", "note": "Too little; refund."},
    )
    payment.refresh_from_db()
    assert payment.outcome == PaymentOutcome.RESOLVED_REFUND
    assert AuditEvent.objects.filter(action="billing_discrepancy_refund", actor=staff_user).exists()
    assert not Application.objects.get(pk=application.pk).invoice.is_paid


def test_resolving_needs_a_note_and_staff(client, billed, staff_user, applicant):
    _application, code = billed
    payment = _discrepancy(code, 1)
    client.force_login(applicant)
    assert (
        client.post(
            reverse("billing:resolve", args=[payment.pk]), {"decision": "refund", "note": "x"}
        ).status_code
        == 403
    )
    client.force_login(staff_user)
    client.post(reverse("billing:resolve", args=[payment.pk]), {"decision": "refund", "note": ""})
    payment.refresh_from_db()
    assert payment.outcome == PaymentOutcome.DISCREPANCY
