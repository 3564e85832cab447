"""Reads the billing pages share."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.billing.models import BillingCode, BillingPayment, CodeStatus, PaymentOutcome


@dataclass(frozen=True)
class Channel:
    name: str
    how: str


def payment_channels() -> list[Channel]:
    """How to pay a billing code, per channel (as on the ministry's published instructions)."""
    return [
        Channel(
            _("Bank teller"),
            _("Tell the teller you pay a state revenue (PNBP) billing code and give the code."),
        ),
        Channel(
            _("ATM"),
            _("Choose Payments, then State revenue (MPN G3 / billing), enter the code, confirm."),
        ),
        Channel(
            _("Internet or mobile banking"),
            _("Open Payments, then State revenue / MPN, enter the code, check the amount, pay."),
        ),
        Channel(
            _("EDC or e-wallet"),
            _("Pick state revenue (PNBP), enter or scan the code and pay the exact amount."),
        ),
    ]


@dataclass(frozen=True)
class InvoiceBilling:
    """The billing side of one invoice: the code to pay now, every code, every payment."""

    live: BillingCode | None
    codes: list
    payments: list

    @property
    def receipt_payment(self):
        applied = [p for p in self.payments if p.outcome in APPLIED]
        return applied[0] if applied else None

    @property
    def can_renew(self):
        return self.live is None or self.live.is_expired


APPLIED = (PaymentOutcome.APPLIED, PaymentOutcome.RESOLVED_APPLIED)


def invoice_billing(invoice) -> InvoiceBilling:
    codes = list(BillingCode.objects.filter(invoice=invoice).order_by("-created_at", "-pk"))
    payments = list(
        BillingPayment.objects.filter(billing_code__invoice=invoice)
        .select_related("billing_code")
        .order_by("-paid_at", "-pk")
    )
    live = next((c for c in codes if c.status in (CodeStatus.PENDING, CodeStatus.ACTIVE)), None)
    return InvoiceBilling(live=live, codes=codes, payments=payments)


# The staff payments page ---------------------------------------------------------------
VIEWS = {
    "unpaid": _("Unpaid"),
    "expiring": _("Expiring today"),
    "paid": _("Paid"),
    "discrepancies": _("Discrepancies"),
    "voided": _("Voided"),
}


def staff_codes(view: str, query: str = ""):
    """Billing codes for the staff payments page: one view of VIEWS, searched by code,
    invoice, application reference or payer. Related rows fetched in the same query."""
    now = timezone.now()
    codes = BillingCode.objects.select_related("invoice__application__organization")
    if view == "unpaid":
        codes = codes.filter(status__in=[CodeStatus.PENDING, CodeStatus.ACTIVE])
    elif view == "expiring":
        codes = codes.filter(status=CodeStatus.ACTIVE, expires_at__range=(now, end_of_day(now)))
    elif view == "paid":
        codes = codes.filter(status=CodeStatus.PAID)
    elif view == "voided":
        codes = codes.filter(status=CodeStatus.VOIDED)
    query = (query or "").strip()[:64]
    if query:
        from django.db.models import Q

        codes = codes.filter(
            Q(code__startswith=query)
            | Q(invoice__number__icontains=query)
            | Q(invoice__application__reference__icontains=query)
            | Q(payer_name__icontains=query)
        )
    return codes.order_by("expires_at", "pk") if view in ("unpaid", "expiring") else codes


def staff_discrepancies(query: str = ""):
    payments = BillingPayment.objects.filter(outcome=PaymentOutcome.DISCREPANCY).select_related(
        "billing_code__invoice__application__organization"
    )
    query = (query or "").strip()[:64]
    if query:
        from django.db.models import Q

        payments = payments.filter(
            Q(ntpn__icontains=query)
            | Q(billing_code__code__startswith=query)
            | Q(billing_code__invoice__number__icontains=query)
        )
    return payments.order_by("-paid_at", "-pk")


def end_of_day(now=None) -> datetime.datetime:
    now = timezone.localtime(now or timezone.now())
    return now.replace(hour=23, minute=59, second=59, microsecond=999999)
