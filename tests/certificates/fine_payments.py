"""Paying a fine in tests the one way staff may: the fine's billing code, an NTPN, a scan."""

from django.utils import timezone

from applications.billing import services as billing
from applications.billing.models import BillingCode, CodeStatus
from certificates import services
from tests.applications.billing_helpers import new_ntpn
from tests.applications.factories import pdf_upload


def issue_fine_code(fine) -> BillingCode:
    """Run the task that asks the billing system for the fine's code (outside on_commit)."""
    for code in BillingCode.objects.filter(sanction=fine, status=CodeStatus.PENDING):
        billing.billing_code_fetch(code_id=code.pk)
    return BillingCode.objects.filter(sanction=fine).latest("created_at")


def office_fine_payment(**overrides) -> dict:
    return {
        "ntpn": new_ntpn(),
        "ntb": "998877",
        "channel": "teller",
        "paid_at": timezone.now(),
        "receipt_scan": pdf_upload("receipt.pdf"),
        **overrides,
    }


def pay_fine(fine, actor, **overrides):
    issue_fine_code(fine)
    return services.fine_mark_paid(sanction=fine, actor=actor, **office_fine_payment(**overrides))
