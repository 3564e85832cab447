"""Importing the billing system's settlement file (command and staff page)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from applications.billing import services
from applications.billing.models import BillingPayment, PaymentSource
from applications.billing.settlement import settlement_import
from applications.models import Application
from registrasi.audit.models import AuditEvent
from tests.applications.billing_helpers import new_ntpn, submitted_with_code

pytestmark = pytest.mark.django_db

HEADER = "billing_code,ntpn,ntb,amount,paid_at,channel\n"


def line(code, ntpn, amount=None):
    paid = timezone.now().isoformat()
    return f"{code.code},{ntpn},555000111,{code.amount if amount is None else amount},{paid},atm\n"


@pytest.fixture
def two_codes(applicant, django_capture_on_commit_callbacks):
    """One code paid by callback, one whose callback never came."""
    first, paid_code = submitted_with_code(applicant, django_capture_on_commit_callbacks)
    second, missed_code = submitted_with_code(applicant, django_capture_on_commit_callbacks)
    known, _ = services.payment_receive(
        code=paid_code.code,
        ntpn=new_ntpn(),
        ntb="1",
        channel="atm",
        amount=paid_code.amount,
        paid_at=timezone.now(),
        source=PaymentSource.CALLBACK,
    )
    return first, second, paid_code, missed_code, known


def settlement_file(paid_code, missed_code, known, missed_ntpn):
    return (
        HEADER
        + line(paid_code, known.ntpn)
        + line(missed_code, missed_ntpn)
        + "999999999999999,ZZZZZZZZZZZZZZZZ,1,100,2026-11-30T10:00:00+07:00,atm\n"
        + "not-a-code,X,1,1,yesterday,atm\n"
    ).encode()


def test_a_settlement_applies_a_missed_callback_and_confirms_the_rest(
    two_codes, django_capture_on_commit_callbacks
):
    _first, second, paid_code, missed_code, known = two_codes
    data = settlement_file(paid_code, missed_code, known, new_ntpn())
    with django_capture_on_commit_callbacks(execute=True):
        result = settlement_import(data=data)
    assert [p.pk for p in result.confirmed] == [known.pk]
    assert len(result.applied) == 1 and len(result.unmatched) == 2
    applied = result.applied[0]
    assert applied.source == PaymentSource.SETTLEMENT and applied.settled_at
    assert Application.objects.get(pk=second.pk).invoice.is_paid
    event = AuditEvent.objects.filter(action="billing_paid").order_by("-pk").first()
    assert event.data["source"] == "settlement"


def test_importing_the_same_file_twice_changes_nothing(two_codes):
    _first, _second, paid_code, missed_code, known = two_codes
    data = settlement_file(paid_code, missed_code, known, new_ntpn())
    settlement_import(data=data)
    payments = BillingPayment.objects.count()
    events = AuditEvent.objects.count()
    again = settlement_import(data=data)
    assert again.confirmed == [] and again.applied == [] and len(again.already) == 2
    assert BillingPayment.objects.count() == payments and AuditEvent.objects.count() == events


def test_the_command_imports_a_file(two_codes, tmp_path):
    _first, _second, paid_code, missed_code, known = two_codes
    path = tmp_path / "settlement.csv"
    path.write_bytes(settlement_file(paid_code, missed_code, known, new_ntpn()))
    out = io.StringIO()
    call_command("import_settlement", str(path), stdout=out)
    assert "applied from settlement 1" in out.getvalue() and "unmatched 2" in out.getvalue()


def test_a_file_with_the_wrong_header_is_refused(client, staff_user):
    client.force_login(staff_user)
    upload = SimpleUploadedFile("s.csv", b"code,amount\n1,2\n", content_type="text/csv")
    assert client.post(reverse("billing:settlement"), {"file": upload}).status_code == 400


def test_staff_upload_the_file_and_see_what_matched_nothing(client, staff_user, two_codes):
    _first, _second, paid_code, missed_code, known = two_codes
    client.force_login(staff_user)
    upload = SimpleUploadedFile(
        "s.csv", settlement_file(paid_code, missed_code, known, new_ntpn()), content_type="text/csv"
    )
    page = client.post(reverse("billing:settlement"), {"file": upload}).content.decode()
    assert "unknown billing code" in page and "bad billing code" in page


def test_applicants_cannot_import(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("billing:settlement")).status_code == 403
