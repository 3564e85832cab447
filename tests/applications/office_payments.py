"""Recording a payment by hand in tests the one way staff may: the office-payment page, with
the NTPN and a scan of the receipt, against the invoice's billing code."""

import datetime

from django.urls import reverse
from django.utils import timezone

from applications.billing import services as billing
from applications.billing.models import BillingCode, CodeStatus
from tests.applications.billing_helpers import new_ntpn
from tests.applications.factories import pdf_upload


def issue_codes(invoice) -> BillingCode:
    """Run the task that asks the billing system for the invoice's code (outside on_commit)."""
    for code in BillingCode.objects.filter(invoice=invoice, status=CodeStatus.PENDING):
        billing.billing_code_fetch(code_id=code.pk)
    return BillingCode.objects.filter(invoice=invoice).latest("created_at")


def office_form(**overrides) -> dict:
    paid_at = timezone.localtime() - datetime.timedelta(minutes=5)
    return {
        "ntpn": new_ntpn(),
        "ntb": "998877",
        "channel": "teller",
        "paid_at": paid_at.strftime("%Y-%m-%dT%H:%M"),
        "receipt_scan": pdf_upload("receipt.pdf"),
        **overrides,
    }


def office_payment_url(invoice) -> str:
    return reverse("billing:office_payment", args=[invoice.pk])
