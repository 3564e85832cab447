"""Exports of the desk's queues and the certificate list (certificates.views_desk): CSV
streamed, XLSX written in openpyxl's write-only mode, with the filters on screen, audited,
and a 404 for everyone but staff."""

import csv
import datetime
import io
import itertools

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from applications.billing.models import (
    BillingCode,
    BillingPayment,
    CodeStatus,
    PaymentOutcome,
    PaymentSource,
)
from applications.billing.selectors import end_of_day
from applications.constants import ApplicationState
from certificates.constants import SanctionKind
from certificates.models import Sanction
from registrasi.accounts.constants import Province
from registrasi.audit.models import AuditEvent
from tests import desk_seed
from tests.factories import OrganizationFactory

A = ApplicationState


def _csv_rows(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx_rows(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def _queue_url(key="to_review"):
    return reverse("certificates:queue_export", args=[key])


@pytest.fixture
def two_provinces(organization):
    dki = desk_seed.applications(organization, 2, A.SUBMITTED, province=Province.DKI)
    bali = desk_seed.applications(organization, 1, A.SUBMITTED, province=Province.BALI)
    return dki, bali


def test_a_queue_exports_as_csv_with_the_filters_on_screen(client, staff_user, two_provinces):
    _dki, bali = two_provinces
    client.force_login(staff_user)

    every = _csv_rows(client.get(_queue_url(), {"format": "csv"}))
    filtered = _csv_rows(client.get(_queue_url(), {"format": "csv", "province": Province.BALI}))

    assert every[0][:3] == ["reference", "company", "kind"]
    assert len(every) == 1 + 3
    assert [row[0] for row in filtered[1:]] == [bali[0].reference]
    assert filtered[1][3] == "Bali"
    assert filtered[1][-1] == "On time"


def test_a_queue_exports_as_xlsx(client, staff_user, two_provinces):
    dki, _bali = two_provinces
    client.force_login(staff_user)

    response = client.get(_queue_url(), {"format": "xlsx", "province": Province.DKI})

    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in response["Content-Disposition"]
    rows = _xlsx_rows(response)
    assert rows[0][0] == "reference"
    assert sorted(row[0] for row in rows[1:]) == sorted(a.reference for a in dki)
    assert all(isinstance(row[7], int) for row in rows[1:])  # working days stay numbers


@pytest.mark.parametrize("key", ["to_schedule", "overdue", "to_decide", "payments", "expiring"])
def test_every_queue_exports(client, staff_user, organization, inspector, key):
    apps = desk_seed.applications(organization, 2, A.INSPECTION_SCHEDULED)
    desk_seed.overdue_inspections(apps, inspector, staff_user)
    desk_seed.applications(organization, 1, A.INSPECTION_PASSED)
    desk_seed.invoices(desk_seed.applications(organization, 1, A.AWAITING_INSPECTION))
    desk_seed.invoices(
        desk_seed.applications(organization, 1, A.SUBMITTED), paid=False, due_days_from_now=-1
    )
    desk_seed.certificates(desk_seed.applications(organization, 1, A.APPROVED), staff_user)
    expected = {"to_schedule": 1, "overdue": 2, "to_decide": 1, "payments": 1, "expiring": 1}
    client.force_login(staff_user)

    rows = _csv_rows(client.get(_queue_url(key), {"format": "csv"}))

    assert len(rows) - 1 == expected[key]


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_quoted(client, staff_user):
    hostile = OrganizationFactory(legal_name='=HYPERLINK("http://evil.test","x")')
    desk_seed.applications(hostile, 1, A.SUBMITTED)
    client.force_login(staff_user)

    csv_rows = _csv_rows(client.get(_queue_url(), {"format": "csv"}))
    xlsx_rows = _xlsx_rows(client.get(_queue_url(), {"format": "xlsx"}))

    assert csv_rows[1][1].startswith("'=")
    assert xlsx_rows[1][1].startswith("'=")


def test_the_certificate_list_exports_with_its_filters(client, staff_user, organization):
    dki = desk_seed.applications(organization, 2, A.APPROVED, province=Province.DKI)
    bali = desk_seed.applications(organization, 1, A.APPROVED, province=Province.BALI)
    desk_seed.certificates(dki, staff_user, expires_in_days=800)
    (bali_certificate,) = desk_seed.certificates(bali, staff_user, expires_in_days=800)
    url = reverse("certificates:certificate_export")
    client.force_login(staff_user)

    every = _csv_rows(client.get(url, {"format": "csv"}))
    filtered = _xlsx_rows(client.get(url, {"format": "xlsx", "province": Province.BALI}))

    assert every[0] == [
        "number",
        "company",
        "nib",
        "province",
        "state",
        "issued_on",
        "valid_from",
        "expires_on",
    ]
    assert len(every) == 1 + 3
    assert len(filtered) == 2
    assert filtered[1][0] == bali_certificate.number
    assert filtered[1][4] == "Active"


def test_each_export_is_audited_with_who_what_and_filters(client, staff_user, two_provinces):
    client.force_login(staff_user)

    response = client.get(
        _queue_url("to_decide"), {"format": "xlsx", "province": Province.BALI, "kind": "bogus"}
    )
    b"".join(response.streaming_content)
    client.get(reverse("certificates:certificate_export"), {"format": "csv", "province": "bali"})

    queue_event, list_event = AuditEvent.objects.filter(action="export").order_by("pk")
    assert queue_event.actor == staff_user
    # An invalid filter value is refused by the form, so nothing is filtered and none is kept.
    assert queue_event.data == {"what": "queue:to_decide", "format": "xlsx", "filters": {}}
    assert list_event.data == {
        "what": "certificates",
        "format": "csv",
        "filters": {"province": "bali"},
    }


def test_the_filters_are_audited_when_valid(client, staff_user):
    client.force_login(staff_user)

    client.get(_queue_url(), {"format": "csv", "province": Province.BALI, "kind": "renewal"})

    event = AuditEvent.objects.get(action="export")
    assert event.data["filters"] == {"province": "bali", "kind": "renewal"}


@pytest.mark.parametrize(
    "url",
    [
        reverse("certificates:queue_export", args=["to_review"]) + "?format=csv",
        reverse("certificates:queue_export", args=["expiring"]) + "?format=xlsx",
        reverse("certificates:certificate_export") + "?format=csv",
    ],
)
@pytest.mark.parametrize("who", ["applicant", "inspector", "outsider", "no_role_user"])
def test_everyone_but_staff_gets_404_and_nothing_is_audited(client, request, who, url):
    client.force_login(request.getfixturevalue(who))

    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize(
    "url",
    [
        reverse("certificates:queue_export", args=["nonsense"]) + "?format=csv",
        reverse("certificates:queue_export", args=["to_review"]) + "?format=pdf",
        reverse("certificates:certificate_export") + "?format=exe",
    ],
)
def test_an_unknown_queue_or_format_is_404(client, staff_user, url):
    client.force_login(staff_user)

    assert client.get(url).status_code == 404


# Session, user, second-factor device, groups; the audit event (savepoint, insert, release);
# then the rows in one chunk with their invoices.
EXPORT_QUERIES = 9


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_runs_a_fixed_number_of_queries(
    client, staff_user, organization, django_assert_num_queries, count, file_format
):
    desk_seed.applications(organization, count, A.SUBMITTED)
    client.force_login(staff_user)

    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(_queue_url(), {"format": file_format})
        rows = _csv_rows(response) if file_format == "csv" else _xlsx_rows(response)

    assert len(rows) == 1 + count


# The staff payments page (applications.billing), exported from certificates.views_desk ----------

_codes_made = itertools.count(1)


def _billing_codes(organization, count, status, *, payer="PT Contoh"):
    invoices = desk_seed.invoices(
        desk_seed.applications(organization, count, A.SUBMITTED), paid=status == CodeStatus.PAID
    )
    expires = timezone.now() + datetime.timedelta(days=2)
    return BillingCode.objects.bulk_create(
        [
            BillingCode(
                invoice=invoice,
                code=f"8{next(_codes_made):014d}",
                amount=invoice.amount,
                payer_name=payer,
                status=status,
                expires_at=expires,
            )
            for invoice in invoices
        ]
    )


def _discrepancy(code, *, amount=1000):
    return BillingPayment.objects.create(
        billing_code=code,
        ntpn=f"D{next(_codes_made):015d}",
        ntb="1",
        channel="atm",
        amount=amount,
        paid_at=timezone.now(),
        source=PaymentSource.CALLBACK,
        outcome=PaymentOutcome.DISCREPANCY,
        discrepancy_reason="amount",
    )


PAYMENTS_URL = reverse("certificates:payments_export")


def test_the_payments_unpaid_view_exports_as_csv_with_its_search(client, staff_user, organization):
    one, two = _billing_codes(organization, 2, CodeStatus.ACTIVE)
    _billing_codes(organization, 1, CodeStatus.PAID)
    client.force_login(staff_user)

    every = _csv_rows(client.get(PAYMENTS_URL, {"format": "csv", "view": "unpaid"}))
    searched = _csv_rows(client.get(PAYMENTS_URL, {"format": "csv", "q": two.code}))

    assert every[0] == [
        "billing_code",
        "for",
        "application",
        "company",
        "payer",
        "amount",
        "expires_at",
        "status",
    ]
    assert [row[0] for row in every[1:]] == [one.code, two.code]
    assert [row[0] for row in searched[1:]] == [two.code]
    assert searched[1][1:6] == [
        two.invoice.number,
        two.invoice.application.reference,
        organization.legal_name,
        "PT Contoh",
        "5000000",
    ]
    assert searched[1][7] == "Waiting for payment"


def test_the_payments_paid_view_exports_as_xlsx(client, staff_user, organization):
    _billing_codes(organization, 2, CodeStatus.ACTIVE)
    (paid,) = _billing_codes(organization, 1, CodeStatus.PAID)
    client.force_login(staff_user)

    response = client.get(PAYMENTS_URL, {"format": "xlsx", "view": "paid"})

    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "payments-paid-" in response["Content-Disposition"]
    rows = _xlsx_rows(response)
    assert rows[0][0] == "billing_code"
    assert [row[0] for row in rows[1:]] == [paid.code]
    assert rows[1][5] == 5_000_000  # amounts stay numbers
    assert isinstance(rows[1][6], datetime.datetime)
    assert rows[1][7] == "Paid"


def test_the_payments_discrepancies_view_exports_with_its_search(client, staff_user, organization):
    first, second = _billing_codes(organization, 2, CodeStatus.ACTIVE)
    kept = _discrepancy(first, amount=1000)
    _discrepancy(second)
    client.force_login(staff_user)

    csv_rows = _csv_rows(
        client.get(PAYMENTS_URL, {"format": "csv", "view": "discrepancies", "q": kept.ntpn})
    )
    xlsx_rows = _xlsx_rows(client.get(PAYMENTS_URL, {"format": "xlsx", "view": "discrepancies"}))

    assert csv_rows[0][:7] == ["ntpn", "billing_code", "for", "payer", "paid", "billed", "why"]
    assert csv_rows[1:2] == [
        [
            kept.ntpn,
            first.code,
            first.invoice.number,
            "PT Contoh",
            "1000",
            "5000000",
            "amount",
            csv_rows[1][7],
            "atm",
        ]
    ]
    assert len(csv_rows) == 2
    assert len(xlsx_rows) == 1 + 2
    assert {row[4] for row in xlsx_rows[1:]} == {1000}


def test_a_fine_code_exports_with_its_certificate_application(
    client, staff_user, organization, django_assert_num_queries
):
    (application,) = desk_seed.applications(organization, 1, A.APPROVED)
    (certificate,) = desk_seed.certificates([application], staff_user)
    fine = Sanction.objects.create(
        certificate=certificate,
        kind=SanctionKind.FINE,
        reason="Late report",
        amount=1_000_000,
        due_date=timezone.localdate(),
        created_by=staff_user,
    )
    code = BillingCode.objects.create(
        sanction=fine,
        code="900000000000001",
        amount=1_000_000,
        payer_name="PT Denda",
        status=CodeStatus.ACTIVE,
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    _billing_codes(organization, 1, CodeStatus.ACTIVE)
    client.force_login(staff_user)

    with django_assert_num_queries(PAYMENTS_EXPORT_QUERIES):
        rows = _csv_rows(client.get(PAYMENTS_URL, {"format": "csv", "view": "unpaid"}))

    fine_row = next(row for row in rows[1:] if row[0] == code.code)
    assert fine_row[1:6] == [
        f"FINE-{fine.pk}",
        application.reference,
        organization.legal_name,
        "PT Denda",
        "1000000",
    ]
    assert len(rows) == 1 + 2


@pytest.mark.parametrize(
    ("view", "expected"),
    [("unpaid", 3), ("expiring", 1), ("paid", 1), ("voided", 1), ("discrepancies", 1)],
)
def test_each_payments_view_exports_only_its_rows(client, staff_user, organization, view, expected):
    today, later = _billing_codes(organization, 2, CodeStatus.ACTIVE)
    BillingCode.objects.filter(pk=today.pk).update(expires_at=end_of_day())
    _discrepancy(later)
    _billing_codes(organization, 1, CodeStatus.PENDING)
    _billing_codes(organization, 1, CodeStatus.PAID)
    BillingCode.objects.create(
        invoice=later.invoice, code=None, amount=1, payer_name="x", status=CodeStatus.VOIDED
    )
    client.force_login(staff_user)

    rows = _csv_rows(client.get(PAYMENTS_URL, {"format": "csv", "view": view}))

    assert len(rows) - 1 == expected
    if view == "expiring":
        assert rows[1][0] == today.code


def test_a_payer_name_that_is_a_formula_is_quoted(client, staff_user, organization):
    _billing_codes(organization, 1, CodeStatus.ACTIVE, payer="=1+2")
    client.force_login(staff_user)

    rows = _csv_rows(client.get(PAYMENTS_URL, {"format": "csv"}))

    assert rows[1][4] == "'=1+2"


def test_a_payments_export_is_audited_with_its_view_and_search(client, staff_user, organization):
    (code,) = _billing_codes(organization, 1, CodeStatus.PAID)
    client.force_login(staff_user)

    response = client.get(PAYMENTS_URL, {"format": "xlsx", "view": "paid", "q": code.code})
    b"".join(response.streaming_content)
    client.get(PAYMENTS_URL, {"format": "csv"})

    searched, default = AuditEvent.objects.filter(action="export").order_by("pk")
    assert searched.actor == staff_user
    assert searched.data == {
        "what": "payments",
        "format": "xlsx",
        "filters": {"view": "paid", "q": code.code},
    }
    assert default.data == {"what": "payments", "format": "csv", "filters": {"view": "unpaid"}}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("who", ["applicant", "inspector", "outsider", "no_role_user"])
def test_everyone_but_staff_gets_404_for_the_payments_export(
    client, request, organization, who, file_format
):
    _billing_codes(organization, 1, CodeStatus.ACTIVE)
    client.force_login(request.getfixturevalue(who))

    response = client.get(PAYMENTS_URL, {"format": file_format, "view": "unpaid"})

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize("query", [{"format": "pdf"}, {"format": "csv", "view": "nonsense"}])
def test_an_unknown_payments_view_or_format_is_404(client, staff_user, query):
    client.force_login(staff_user)

    assert client.get(PAYMENTS_URL, query).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_payments_page_links_its_exports_with_the_filters_on_screen(client, staff_user):
    client.force_login(staff_user)

    page = client.get(reverse("billing:payments"), {"view": "paid", "q": "INV 1"}).content.decode()

    assert f'href="{PAYMENTS_URL}?format=csv&amp;view=paid&amp;q=INV%201"' in page
    assert f'href="{PAYMENTS_URL}?format=xlsx&amp;view=paid&amp;q=INV%201"' in page


# Session, user, second-factor device, groups; the payment permission (user's, then groups');
# the audit event (savepoint, insert, release); the rows, with their related rows, in one query.
PAYMENTS_EXPORT_QUERIES = 10


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("view", ["unpaid", "discrepancies"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_payments_export_runs_a_fixed_number_of_queries(
    client, staff_user, organization, django_assert_num_queries, count, view, file_format
):
    codes = _billing_codes(organization, count, CodeStatus.ACTIVE)
    for code in codes:
        _discrepancy(code)
    client.force_login(staff_user)

    with django_assert_num_queries(PAYMENTS_EXPORT_QUERIES):
        response = client.get(PAYMENTS_URL, {"format": file_format, "view": view})
        rows = _csv_rows(response) if file_format == "csv" else _xlsx_rows(response)

    assert len(rows) == 1 + count
