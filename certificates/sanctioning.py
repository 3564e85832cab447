"""Sanctions on a certificate, as staff decide them: suspension, reinstatement, revocation
and fines; and what a successor inherits (carry_sanctions). Re-exported by
certificates.services.

Each decision is recorded (Sanction), changes the state through
registrasi.services.run_transition when it is one, is audited naming the record
(data["sanction"]) and emails the organization (certificates.notifications), all in one
transaction.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from applications.billing import services as billing
from applications.billing.models import BillingPayment
from certificates.constants import SANCTION_CERTIFICATE, CertificateState, SanctionKind
from certificates.models import Certificate, Sanction
from certificates.sanctions import SanctionsInForce, open_suspension
from registrasi.accounts.models import User
from registrasi.audit.services import audit_record
from registrasi.dates import today
from registrasi.services import (
    NotAllowed,
    lock,
    notify,
    refuse_unless_perm,
    require_text,
    run_transition,
)

S = CertificateState


def _require_reason(reason: str) -> str:
    """The stripped reason; the organization reads it, so it may not be empty."""
    return require_text(reason, message=_("Give the reason; the organization will read it."))


def carry_sanctions(
    *,
    in_force: SanctionsInForce,
    certificate: Certificate,
    actor: User | None,
    fines: bool = True,
) -> Certificate:
    """The successor `certificate` inherits the sanctions in force on its basis
    (`in_force.certificate`): suspended with the same reason and end date, and (`fines`)
    the unpaid fines moved to it (paid once, on the certificate in force). Returns the
    successor."""
    basis = in_force.certificate
    suspension = in_force.suspension
    if suspension is not None and certificate.state == S.ACTIVE:
        certificate = _sanction_decision(
            certificate,
            "carry_suspension",
            actor,
            suspension.reason,
            None,
            kind=SanctionKind.SUSPENSION,
            starts_on=suspension.starts_on,
            ends_on=suspension.ends_on,
            carried_from=basis,
            data={"carried_from": basis.pk, "until": _iso(suspension.ends_on)},
        )
    for fine in in_force.fines if fines else ():
        fine.certificate = certificate
        fine.carried_from = basis
        fine.save(update_fields=["certificate", "carried_from"])
        audit_record(
            actor=actor,
            action="fine_carry",
            obj=certificate,
            data={"sanction": fine.pk, "amount": fine.amount, "carried_from": basis.pk},
        )
    return certificate


def _iso(day):
    return day.isoformat() if day else None


def _sanction_decision(
    certificate: Certificate,
    name: str,
    actor: User | None,
    reason: str,
    expected_state: str | None,
    *,
    kind: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None = None,
    carried_from: Certificate | None = None,
    data: dict | None = None,
) -> Certificate:
    """A sanction's record and its state change (`state_changed_at` kept), audited with the
    reason and naming the record, and the organization told about it. The record is written
    first so the audit event can name it; a refused transition rolls both back (the caller's
    transaction). Returns the certificate."""
    sanction = Sanction.objects.create(
        certificate=certificate,
        kind=kind,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
        carried_from=carried_from,
    )
    done = run_transition(
        obj=certificate,
        name=name,
        actor=actor,
        expected_state=expected_state,
        note=reason,
        data={**(data or {}), "sanction": sanction.pk},
    )
    notify(done.event)
    return done.obj


def certificate_suspend(
    *,
    certificate: Certificate,
    actor: User,
    reason: str,
    until: datetime.date | None = None,
    starts_on: datetime.date | None = None,
    expected_state: str | None = None,
) -> Certificate:
    """Suspend now. `starts_on` records when the decision took effect (today or earlier,
    never later: the state changes now); `until` is the planned end (after today), or None
    for a suspension that lasts until staff reinstate."""
    reason = _require_reason(reason)
    on = today()
    starts_on = starts_on or on
    if starts_on > on:
        raise ValidationError({"starts_on": _("A suspension cannot start in the future.")})
    if until is not None and until <= on:
        raise ValidationError({"until": _("The suspension must end after today.")})
    data = {"starts_on": starts_on.isoformat(), "until": until.isoformat() if until else None}
    with transaction.atomic():
        return _sanction_decision(
            certificate,
            "suspend",
            actor,
            reason,
            expected_state,
            kind=SanctionKind.SUSPENSION,
            starts_on=starts_on,
            ends_on=until,
            data=data,
        )


def certificate_reinstate(
    *, certificate: Certificate, actor: User, reason: str, expected_state: str | None = None
) -> Certificate:
    """Lift the suspension now (its record ends today), and the one a pending renewal
    inherited from this certificate."""
    reason = _require_reason(reason)
    on = today()
    with transaction.atomic():
        certificate = _sanction_decision(
            certificate,
            "reinstate",
            actor,
            reason,
            expected_state,
            kind=SanctionKind.REINSTATEMENT,
            starts_on=on,
        )
        # The open suspension ends today (also when it was meant to last longer).
        open_suspension = (
            Sanction.objects.select_for_update()
            .filter(certificate=certificate, kind=SanctionKind.SUSPENSION)
            .order_by("-created_at", "-id")
            .first()
        )
        if open_suspension and (open_suspension.ends_on is None or open_suspension.ends_on > on):
            open_suspension.ends_on = max(on, open_suspension.starts_on or on)
            open_suspension.save(update_fields=["ends_on"])
        _reinstate_pending_renewal(certificate, actor, reason, on)
    return certificate


def _reinstate_pending_renewal(certificate, actor, reason, on):
    """A renewal approved while `certificate` was suspended was issued suspended and starts
    later: lifting the suspension of the certificate in force lifts the one it passed on."""
    pending = Certificate.objects.select_for_update().filter(
        supersedes=certificate, state=S.SUSPENDED, valid_from__gt=on
    )
    for successor in pending:
        suspension = open_suspension(successor)
        if suspension is not None and suspension.carried_from_id == certificate.pk:
            certificate_reinstate(
                certificate=successor, actor=actor, reason=reason, expected_state=S.SUSPENDED
            )


def certificate_revoke(
    *, certificate: Certificate, actor: User, reason: str, expected_state: str | None = None
) -> Certificate:
    """Revoke for good: no transition leaves `revoked`."""
    reason = _require_reason(reason)
    with transaction.atomic():
        return _sanction_decision(
            certificate,
            "revoke",
            actor,
            reason,
            expected_state,
            kind=SanctionKind.REVOCATION,
            starts_on=today(),
        )


def fine_impose(
    *,
    certificate: Certificate,
    actor: User,
    amount: int | str,
    due_date: datetime.date | None,
    reason: str,
) -> Sanction:
    """A fine changes no state; it is recorded, audited and announced."""
    refuse_unless_perm(actor, SANCTION_CERTIFICATE)
    reason = _require_reason(reason)
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        amount = 0
    if amount <= 0:
        raise ValidationError({"amount": _("Enter the amount in whole Rupiah, above zero.")})
    if due_date is None or due_date < today():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    with transaction.atomic():
        certificate = lock(certificate)
        if certificate.state in (S.REVOKED, S.SUPERSEDED):
            raise NotAllowed(
                _("This action is not possible while the state is “%(state)s”.")
                % {"state": certificate.get_state_display()}
            )
        sanction = Sanction.objects.create(
            certificate=certificate,
            kind=SanctionKind.FINE,
            reason=reason,
            amount=amount,
            due_date=due_date,
            created_by=actor,
        )
        event = audit_record(
            actor=actor,
            action="fine_impose",
            obj=certificate,
            note=reason,
            data={"sanction": sanction.pk, "amount": amount, "due_date": due_date.isoformat()},
        )
        notify(event)
        # Fines are paid like the fee: with a billing code (applications.billing).
        billing.billing_code_request_for_fine(sanction=sanction, actor=actor)
    return sanction


def fine_mark_paid(
    *,
    sanction: Sanction,
    actor: User,
    ntpn: str,
    ntb: str,
    channel: str,
    paid_at: datetime.datetime | None,
    receipt_scan: UploadedFile,
) -> BillingPayment:
    """Staff record a fine paid at the office: only with the NTPN and a scan of the receipt,
    as a payment of the fine's billing code (applications.billing.office_payment_record),
    which closes the fine, audits it, tells the holder and makes the receipt. Returns the
    payment."""
    refuse_unless_perm(actor, SANCTION_CERTIFICATE)
    sanction = Sanction.objects.get(pk=sanction.pk)
    if sanction.kind != SanctionKind.FINE:
        raise NotAllowed(_("Only a fine can be paid."))
    if sanction.paid_at is not None:
        raise NotAllowed(_("This fine is already recorded as paid."))
    return billing.office_payment_record(
        sanction=sanction,
        actor=actor,
        ntpn=ntpn,
        ntb=ntb,
        channel=channel,
        paid_at=paid_at,
        receipt_scan=receipt_scan,
    )
