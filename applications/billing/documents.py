"""The billing slip (what to pay, and how) and the official receipt, rendered like every PDF
of the project (registrasi.pdf: WeasyPrint, own templates, static files only)."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from applications.billing.models import BillingCode, BillingPayment, PaymentOutcome
from applications.billing.selectors import payment_channels
from registrasi.pdf import render_pdf

APPLIED = [PaymentOutcome.APPLIED, PaymentOutcome.RESOLVED_APPLIED]


def slip_context(code) -> dict:
    application = code.application
    return {
        "code": code,
        "invoice": code.invoice,
        "application": application,
        "channels": payment_channels(),
        "expires_local": timezone.localtime(code.expires_at) if code.expires_at else None,
    }


def receipt_context(payment) -> dict:
    return {
        "payment": payment,
        "code": payment.billing_code,
        "invoice": payment.billing_code.invoice,
        "application": payment.billing_code.application,
        "paid_local": timezone.localtime(payment.paid_at),
    }


def _related(queryset):
    return queryset.select_related(
        "invoice__application__organization", "sanction__certificate__application"
    )


def billing_slip_render(*, code_id: int) -> str:
    """Render and store the slip unless it exists. Returns "rendered", "exists" or "gone"."""
    code = _related(BillingCode.objects).filter(pk=code_id, code__isnull=False).first()
    if code is None:
        return "gone"
    if code.slip_pdf:
        return "exists"
    with translation.override("id"):
        rendered = render_pdf("applications/billing/slip_pdf.html", slip_context(code))
    with transaction.atomic():
        locked = BillingCode.objects.select_for_update().get(pk=code_id)
        if locked.slip_pdf:
            return "exists"
        locked.slip_pdf.save(f"slip-{locked.code}.pdf", ContentFile(rendered.pdf), save=False)
        locked.save(update_fields=["slip_pdf"])
    return "rendered"


def payment_receipt_render(*, payment_id: int) -> str:
    payment = (
        BillingPayment.objects.select_related("billing_code__invoice__application__organization")
        .filter(pk=payment_id, outcome__in=APPLIED)
        .first()
    )
    if payment is None:
        return "gone"
    if payment.receipt_pdf:
        return "exists"
    with translation.override("id"):
        rendered = render_pdf("applications/billing/receipt_pdf.html", receipt_context(payment))
    with transaction.atomic():
        locked = BillingPayment.objects.select_for_update().get(pk=payment_id)
        if locked.receipt_pdf:
            return "exists"
        locked.receipt_pdf.save(f"receipt-{locked.ntpn}.pdf", ContentFile(rendered.pdf), save=False)
        locked.save(update_fields=["receipt_pdf"])
    return "rendered"
