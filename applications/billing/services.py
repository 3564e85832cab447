"""Every write about billing codes and the payments made with them.

A billing code is asked for when an invoice is issued (billing_code_request, inside the
invoice's transaction); the billing system is called by a task afterwards (never with a
transaction open): billing_code_fetch. The billing system reports payments by callback
(views.callback) or in its settlement file (settlement.py); both end in payment_receive,
which is idempotent on the NTPN and serialised by a lock on the code's row.
"""

import datetime
import logging
import re

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.billing.adapters import (
    BillingRefused,
    BillingUnavailable,
    code_request_for,
    get_backend,
)
from applications.billing.models import (
    BillingCode,
    BillingPayment,
    CodeStatus,
    PaymentOutcome,
    PaymentSource,
)
from applications.models import RECORD_PAYMENT, Application, Invoice, is_member
from registrasi import outbox
from registrasi.accounts.models import User
from registrasi.audit.services import audit_record
from registrasi.services import NotAllowed, notify, refuse_unless_perm, require_text
from registrasi.uploads import validate_upload

logger = logging.getLogger(__name__)

NTPN_RE = re.compile(r"^[0-9A-Z]{16}$")
CODE_RE = re.compile(r"^[0-9]{15}$")


class UnknownCode(Exception):
    """No billing code with this number exists."""


class Discrepancy:
    AMOUNT = "amount"
    VOIDED = "voided"
    EXPIRED = "expired"
    NOT_OPEN = "invoice_not_open"
    ALREADY_PAID = "code_already_paid"


# Asking for a code ----------------------------------------------------------------------
def billing_code_request(*, invoice: Invoice, actor: User | None) -> BillingCode:
    """Ask the billing system for a code for `invoice` (inside the invoice's transaction):
    the row is pending until the task fills in the code."""
    application = invoice.application
    code = BillingCode.objects.create(
        invoice=invoice,
        amount=invoice.amount,
        payer_name=(application.company_legal_name or application.organization.legal_name)[:255],
    )
    outbox.enqueue("applications.billing.tasks.issue_billing_code", code.pk)
    return code


def billing_code_request_for_fine(*, sanction, actor: User | None) -> BillingCode:
    """Ask for a code for a fine (inside the fine's transaction). Paying it closes the fine."""
    certificate = sanction.certificate
    code = BillingCode.objects.create(
        sanction=sanction, amount=sanction.amount, payer_name=certificate.legal_name[:255]
    )
    outbox.enqueue("applications.billing.tasks.issue_billing_code", code.pk)
    return code


def billing_code_fetch(*, code_id: int) -> str:
    """Get the code from the billing system for a pending row. Returns "issued", "exists"
    (done before: the task ran twice) or "gone"; raises BillingUnavailable to be retried."""
    code = (
        BillingCode.objects.select_related("invoice", "sanction__certificate")
        .filter(pk=code_id)
        .first()
    )
    if code is None:
        return "gone"
    if code.status != CodeStatus.PENDING:
        return "exists"
    try:
        issued = get_backend().issue(code_request_for(code))  # no transaction open
    except (BillingUnavailable, BillingRefused) as exc:
        BillingCode.objects.filter(pk=code_id).update(
            request_attempts=code.request_attempts + 1, last_error=str(exc)[:2000]
        )
        logger.warning("billing: code %s not issued yet: %s", code_id, exc)
        raise
    with transaction.atomic():
        locked = BillingCode.objects.select_for_update().get(pk=code_id)
        if locked.status != CodeStatus.PENDING:
            return "exists"
        locked.code = issued.code
        locked.expires_at = issued.expires_at
        locked.status = CodeStatus.ACTIVE
        locked.issued_at = timezone.now()
        locked.last_error = ""
        locked.save(update_fields=["code", "expires_at", "status", "issued_at", "last_error"])
        audit_record(
            actor=None,
            action="billing_code_issued",
            obj=locked.application,
            data={
                "invoice": locked.reference,
                "code": locked.code,
                "amount": locked.amount,
                "expires_at": locked.expires_at.isoformat(),
            },
        )
        outbox.enqueue("applications.billing.tasks.render_billing_slip", locked.pk)
    return "issued"


def live_code(invoice: Invoice) -> BillingCode | None:
    return BillingCode.objects.filter(
        invoice=invoice, status__in=[CodeStatus.PENDING, CodeStatus.ACTIVE]
    ).first()


def _void(code, *, actor, reason, audited=True):
    code.status = CodeStatus.VOIDED
    code.voided_at = timezone.now()
    code.save(update_fields=["status", "voided_at"])
    if not audited:
        return
    audit_record(
        actor=actor,
        action="billing_code_voided",
        obj=code.application,
        data={"invoice": code.reference, "code": code.code, "reason": reason},
    )


def billing_codes_void_for_invoice(
    *, invoice: Invoice, actor: User | None, reason: str = "invoice_cancelled"
) -> None:
    """The invoice was cancelled: its live code can no longer be paid (in its transaction)."""
    for code in BillingCode.objects.select_for_update().filter(
        invoice=invoice, status__in=[CodeStatus.PENDING, CodeStatus.ACTIVE]
    ):
        # The invoice's own "cancelled" event records it; the code keeps its voided_at.
        _void(code, actor=actor, reason=reason, audited=False)


def billing_code_renew(*, invoice: Invoice, actor: User) -> BillingCode:
    """Replace an expired (or voided) code of an open invoice with a new one: the old one is
    voided and kept. A member of the organization or staff may do it."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=invoice.application_id)
        if not (is_member(application, actor) or actor.has_perm(RECORD_PAYMENT)):
            raise NotAllowed(_("You are not allowed to do this."))
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not locked.is_open:
            raise NotAllowed(_("This invoice is not waiting for payment."))
        current = live_code(locked)
        if current is not None and not current.is_expired:
            raise NotAllowed(_("The billing code of this invoice has not expired."))
        if current is not None:
            _void(current, actor=actor, reason="expired")
        return billing_code_request(invoice=locked, actor=actor)


def void_expired_codes(*, now: datetime.datetime | None = None) -> int:
    """The daily scan: void every active code whose expiry passed. Returns how many."""
    now = now or timezone.now()
    count = 0
    ids = list(
        BillingCode.objects.filter(status=CodeStatus.ACTIVE, expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        with transaction.atomic():
            code = (
                # of=self: a fine's code has no invoice (the nullable side of the join).
                BillingCode.objects.select_for_update(of=("self",))
                .filter(pk=pk, status=CodeStatus.ACTIVE, expires_at__lte=now)
                .select_related("invoice__application")
                .first()
            )
            if code is not None:
                _void(code, actor=None, reason="expired")
                count += 1
    return count


# Receiving a payment --------------------------------------------------------------------
def _target_open(code) -> bool:
    if code.invoice_id:
        return code.invoice.is_open
    return code.sanction.paid_at is None


def _discrepancy_reason(code, amount, paid_at) -> str:
    if code.status == CodeStatus.VOIDED:
        return Discrepancy.VOIDED
    if code.status == CodeStatus.PAID:
        return Discrepancy.ALREADY_PAID
    if code.expires_at is not None and paid_at > code.expires_at:
        return Discrepancy.EXPIRED
    if not _target_open(code):
        return Discrepancy.NOT_OPEN
    if amount != code.amount:
        return Discrepancy.AMOUNT
    return ""


def payment_receive(
    *,
    code: str,
    ntpn: str,
    ntb: str,
    channel: str,
    amount: int,
    paid_at: datetime.datetime,
    source: str,
    actor: User | None = None,
) -> tuple[BillingPayment, bool]:
    """Record what the billing system (or the office) says was paid. Returns (payment,
    created); the same NTPN again returns the existing row and changes nothing. Raises
    UnknownCode. Applies the payment to the invoice, or keeps it as a discrepancy."""
    with transaction.atomic():
        billing_code = BillingCode.objects.select_for_update().filter(code=code).first()
        if billing_code is None:
            raise UnknownCode(code)
        existing = BillingPayment.objects.filter(ntpn=ntpn).first()
        if existing is not None:
            return existing, False
        invoice = _lock_target(billing_code)
        reason = _discrepancy_reason(billing_code, amount, paid_at)
        payment = BillingPayment.objects.create(
            billing_code=billing_code,
            ntpn=ntpn,
            ntb=ntb,
            channel=channel,
            amount=amount,
            paid_at=paid_at,
            source=source,
            outcome=PaymentOutcome.DISCREPANCY if reason else PaymentOutcome.APPLIED,
            discrepancy_reason=reason,
            recorded_by=actor,
            settled_at=timezone.now() if source == PaymentSource.SETTLEMENT else None,
        )
        if reason:
            _record_discrepancy(payment, invoice, actor)
        else:
            _apply(payment, billing_code, invoice, actor, action="billing_paid")
    return payment, True


def _lock_target(billing_code):
    """Lock what the code pays (the invoice, or the fine) and return the invoice or None."""
    from applications.models import Invoice

    if billing_code.invoice_id:
        billing_code.invoice = Invoice.objects.select_for_update().get(pk=billing_code.invoice_id)
        return billing_code.invoice
    sanction_model = type(billing_code).sanction.field.related_model
    billing_code.sanction = (
        sanction_model.objects.select_for_update(of=("self",))
        .select_related("certificate__application")
        .get(pk=billing_code.sanction_id)
    )
    return None


def _payment_data(payment, invoice=None) -> dict:
    return {
        "invoice": payment.billing_code.reference,
        "code": payment.billing_code.code,
        "ntpn": payment.ntpn,
        "ntb": payment.ntb,
        "channel": payment.channel,
        "amount": payment.amount,
        "paid_at": payment.paid_at.isoformat(),
        "source": payment.source,
    }


def _apply(payment, billing_code, invoice, actor, *, action):
    billing_code.status = CodeStatus.PAID
    billing_code.save(update_fields=["status"])
    if not _settle_target(payment, billing_code, invoice, actor):
        return
    event = audit_record(
        actor=actor,
        action=action,
        obj=invoice.application,
        data=_payment_data(payment, invoice),
    )
    notify(event)
    outbox.enqueue("applications.billing.tasks.render_payment_receipt", payment.pk)


def _close_fine(payment, sanction, actor):
    """A fine paid with its code: closed, audited on the certificate like a fine marked paid,
    the holder told (the event's email is declared in certificates.notifications)."""
    sanction.paid_at = payment.paid_at
    sanction.save(update_fields=["paid_at"])
    event = audit_record(
        actor=actor,
        action="fine_paid",
        obj=sanction.certificate,
        data={"sanction": sanction.pk, "amount": sanction.amount, **_payment_data(payment)},
    )
    notify(event)
    outbox.enqueue("applications.billing.tasks.render_payment_receipt", payment.pk)


def _record_discrepancy(payment, invoice, actor):
    logger.warning(
        "billing: payment %s of code %s is a discrepancy (%s)",
        payment.ntpn,
        payment.billing_code.code,
        payment.discrepancy_reason,
    )
    event = audit_record(
        actor=actor,
        action="billing_discrepancy",
        obj=payment.billing_code.application,
        data={**_payment_data(payment, invoice), "reason": payment.discrepancy_reason},
    )
    notify(event)


def payment_confirm_settled(*, payment: BillingPayment) -> bool:
    """The settlement file lists a payment we have: note it once. True when it changed."""
    return bool(
        BillingPayment.objects.filter(pk=payment.pk, settled_at__isnull=True).update(
            settled_at=timezone.now()
        )
    )


# Staff ----------------------------------------------------------------------------------
def clean_ntpn(value: str) -> str:
    value = (value or "").strip().upper()
    if not NTPN_RE.match(value):
        raise ValidationError(
            {"ntpn": _("An NTPN is 16 characters: digits and capital letters.")}, code="format"
        )
    if BillingPayment.objects.filter(ntpn=value).exists():
        raise ValidationError(
            {"ntpn": _("A payment with this NTPN is already recorded.")}, code="unique"
        )
    return value


def office_payment_record(
    *,
    actor: User,
    ntpn: str,
    ntb: str,
    channel: str,
    paid_at: datetime.datetime | None,
    receipt_scan: UploadedFile,
    invoice: Invoice | None = None,
    sanction=None,
) -> BillingPayment:
    """Staff record a payment made with a billing code that the billing system has not
    reported: the code of an invoice or of a fine (`sanction`), exactly one of them. Needs
    the NTPN (format, unique) and a scan of the receipt; an invoice or fine already paid is
    refused. Paying a fine's code closes the fine (`_close_fine`). The one way staff record a
    payment by hand."""
    refuse_unless_perm(actor, RECORD_PAYMENT)
    if (invoice is None) == (sanction is None):
        raise TypeError("office_payment_record needs exactly one of invoice or sanction")
    ntpn = clean_ntpn(ntpn)
    try:
        scan = validate_upload(receipt_scan)
    except ValidationError as exc:
        raise ValidationError({"receipt_scan": exc.messages}) from exc
    if paid_at is None or paid_at > timezone.now():
        raise ValidationError({"paid_at": _("Enter the time of payment; not in the future.")})
    with transaction.atomic():
        code = _office_code(invoice=invoice, sanction=sanction)
        _lock_target(code)
        if not _target_open(code):
            raise NotAllowed(_("This is already paid or no longer open."))
        try:
            payment, _created = payment_receive(
                code=code.code,
                ntpn=ntpn,
                ntb=(ntb or "").strip()[:32] or "-",
                channel=(channel or "").strip()[:32] or "teller",
                amount=code.amount,
                paid_at=paid_at,
                source=PaymentSource.OFFICE,
                actor=actor,
            )
        except IntegrityError as exc:  # the same NTPN recorded at the same moment
            raise ValidationError(
                {"ntpn": _("A payment with this NTPN is already recorded.")}
            ) from exc
        payment.receipt_scan.save(f"{payment.ntpn}.{scan.ext}", scan.content, save=True)
    return payment


def _office_code(*, invoice, sanction) -> BillingCode:
    """The latest issued code of the invoice or the fine, locked."""
    codes = BillingCode.objects.select_for_update().filter(code__isnull=False)
    codes = (
        codes.filter(invoice=invoice) if invoice is not None else codes.filter(sanction=sanction)
    )
    code = codes.exclude(status=CodeStatus.PENDING).order_by("-created_at").first()
    if code is None:
        raise NotAllowed(_("There is no billing code to pay with yet."))
    return code


def discrepancy_resolve(
    *, payment: BillingPayment, actor: User, apply: bool, note: str
) -> BillingPayment:
    """Staff resolve a discrepancy: apply the money to what the code pays (the invoice or the
    fine must still be open and the amount must cover it) or mark it for refund. Audited
    with the note."""
    refuse_unless_perm(actor, RECORD_PAYMENT)
    note = require_text(note, field="note", message=_("Say why."))
    with transaction.atomic():
        locked = BillingPayment.objects.select_for_update().get(pk=payment.pk)
        if not locked.is_discrepancy:
            raise NotAllowed(_("This discrepancy was resolved already."))
        code = BillingCode.objects.select_for_update().get(pk=locked.billing_code_id)
        invoice = _lock_target(code)
        locked.billing_code = code
        if apply:
            _apply_discrepancy(locked, code, invoice, actor)
            action = "billing_discrepancy_applied"
        else:
            locked.outcome = PaymentOutcome.RESOLVED_REFUND
            locked.save(update_fields=["outcome"])
            action = "billing_discrepancy_refund"
        event = audit_record(
            actor=actor, action=action, obj=code.application, note=note, data=_payment_data(locked)
        )
        if apply and invoice is not None:
            notify(event)
            outbox.enqueue("applications.billing.tasks.render_payment_receipt", locked.pk)
    return locked


def _apply_discrepancy(payment, code, invoice, actor):
    due = invoice.amount if invoice is not None else code.sanction.amount
    if not _target_open(code) or payment.amount < due:
        raise NotAllowed(
            _("Only a payment covering an open invoice or fine can be applied; mark it for refund.")
        )
    payment.outcome = PaymentOutcome.RESOLVED_APPLIED
    payment.save(update_fields=["outcome"])
    live = BillingCode.objects.filter(status__in=[CodeStatus.PENDING, CodeStatus.ACTIVE])
    live = (
        live.filter(invoice=invoice) if invoice is not None else live.filter(sanction=code.sanction)
    )
    for other in live.exclude(pk=code.pk):
        _void(other, actor=actor, reason="paid_with_other_code")
    if code.status != CodeStatus.VOIDED:
        code.status = CodeStatus.PAID
        code.save(update_fields=["status"])
    _settle_target(payment, code, invoice, actor)


def _settle_target(payment, code, invoice, actor) -> bool:
    """What `code` pays is paid: the invoice (True), or else its fine, closed (False)."""
    if invoice is None:
        _close_fine(payment, code.sanction, actor)
        return False
    invoice.paid_at = payment.paid_at
    invoice.save(update_fields=["paid_at"])
    return True


def as_aware(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value
