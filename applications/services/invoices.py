"""Invoices: issued and cancelled as the fee changes on submission, and paid."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.billing import services as billing
from applications.constants import INVOICE_DUE_DAYS, ApplicationState, InvoiceKind
from applications.fees import FeeAction, fee_change
from applications.models import RECORD_PAYMENT, Application, Invoice, Payment
from registrasi.accounts.models import User
from registrasi.audit.services import audit_record
from registrasi.money import format_rupiah
from registrasi.services import NotAllowed, lock, notify, refuse_unless_perm


def _issue_or_update_invoice(application: Application, actor: User) -> Invoice | None:
    """Bring the invoices in line with the fee on (re)submission (see FeeChange.action).
    A paid invoice is never changed; an unpaid one is cancelled, never edited, so the
    history shows every amount the applicant was asked for."""
    change = fee_change(application)
    if change.action == FeeAction.UNCHANGED:
        return application.invoice
    if change.open_invoice is not None:
        _cancel_invoice(change.open_invoice, application, actor)
    if change.action in (FeeAction.ISSUE, FeeAction.REPLACE, FeeAction.SUPPLEMENTARY):
        _issue_invoice(application, actor, amount=change.due, replaces=change.open_invoice)
    return Application.objects.get(pk=application.pk).invoice


def _cancel_invoice(invoice: Invoice, application: Application, actor: User) -> None:
    invoice.cancelled_at = timezone.now()
    invoice.save(update_fields=["cancelled_at"])
    billing.billing_codes_void_for_invoice(invoice=invoice, actor=actor)
    audit_record(
        actor=actor,
        action="invoice_cancelled",
        obj=application,
        data={"number": invoice.number, "amount": invoice.amount},
    )


def _issue_invoice(
    application: Application, actor: User, *, amount: int, replaces: Invoice | None
) -> Invoice:
    now = timezone.now()
    earlier = Invoice.objects.filter(application=application)
    paid_before = earlier.filter(paid_at__isnull=False).exists()
    number = f"INV-{timezone.localdate(now).year}-{application.pk:06d}"
    count = earlier.count()
    if count:
        number = f"{number}-{count + 1}"
    invoice = Invoice.objects.create(
        application=application,
        kind=InvoiceKind.SUPPLEMENTARY if paid_before else InvoiceKind.FEE,
        number=number,
        amount=amount,
        issued_at=now,
        due_date=timezone.localdate(now) + datetime.timedelta(days=INVOICE_DUE_DAYS),
        replaces=replaces,
    )
    billing.billing_code_request(invoice=invoice, actor=actor)
    audit_record(
        actor=actor,
        action="invoice_issued",
        obj=application,
        data={
            "number": invoice.number,
            "amount": invoice.amount,
            "kind": invoice.kind,
            "replaces": replaces.number if replaces else None,
        },
    )
    return invoice


def _whole_rupiah(amount) -> int | None:
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value != value.to_integral_value():
        return None
    return int(value)


def invoice_record_payment(
    *, invoice: Invoice, actor: User, paid_on: datetime.date | None, reference: str, amount
) -> Payment:
    """Staff record the payment of an invoice: in full (a different amount is refused) and
    once (a second payment is refused; the database allows one Payment per invoice).

    Kept for test factories only: no view or command reaches it. Staff record a payment
    by hand only with the NTPN and a receipt scan (applications.billing.services
    .office_payment_record, page billing:office_payment)."""
    refuse_unless_perm(actor, RECORD_PAYMENT)
    reference = (reference or "").strip()
    amount = _whole_rupiah(amount)
    with transaction.atomic():
        application = lock(invoice.application)
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.is_paid:
            raise NotAllowed(_("This invoice has already been paid."))
        if locked.is_cancelled:
            raise NotAllowed(
                _("Invoice %(number)s was cancelled; record the payment against the open one.")
                % {"number": locked.number}
            )
        if application.state in (ApplicationState.WITHDRAWN, ApplicationState.REJECTED):
            raise NotAllowed(
                _("This is not possible while the application is “%(state)s”.")
                % {"state": application.get_state_display()}
            )
        errors = {}
        if not reference:
            errors["reference"] = _("Enter the payment reference.")
        if amount != locked.amount:
            errors["amount"] = _("The amount must be exactly %(amount)s.") % {
                "amount": format_rupiah(locked.amount)
            }
        if paid_on is None or paid_on > timezone.localdate():
            errors["paid_on"] = _("Enter the date of payment; it cannot be in the future.")
        elif paid_on < timezone.localdate(locked.issued_at):
            errors["paid_on"] = _("The payment date is before the invoice was issued.")
        if errors:
            raise ValidationError(errors)
        payment = Payment.objects.create(
            invoice=locked,
            paid_on=paid_on,
            reference=reference,
            amount=amount,
            recorded_by=actor,
        )
        locked.paid_at = timezone.now()
        locked.save(update_fields=["paid_at"])
        event = audit_record(
            actor=actor,
            action="payment_recorded",
            obj=application,
            data={
                "invoice": locked.number,
                "amount": amount,
                "paid_on": paid_on.isoformat(),
                "reference": reference,
            },
        )
        notify(event)
    invoice.paid_at = locked.paid_at
    return payment
