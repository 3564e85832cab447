"""Every write to a certificate: issuing it on approval, sanctions, the daily scans; the PDF
(certificates.rendering) is re-exported here, so `from certificates import services` is the
one door to them.

All functions are keyword-only, take the `actor`, run in one transaction with the rows they
change locked, and write an audit event. State changes go through
registrasi.services.run_transition. Work that must not run unless the transaction commits
(rendering the PDF, emails) is written to the outbox (registrasi.outbox) in the same
transaction and handed to Celery after the commit.
"""

import datetime
import logging

from django.core.exceptions import ValidationError

# The storage the PDF is written to (tests replace its methods through this name).
from django.core.files.storage import default_storage  # noqa: F401
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from applications.billing import services as billing
from applications.kinds import validity_end
from applications.services import APPROVE_STEP, refuse_unless_ready
from certificates.constants import (
    ISSUE_CERTIFICATE,
    SANCTION_CERTIFICATE,
    CertificateState,
    SanctionKind,
)
from certificates.models import Certificate, NumberSequence, Sanction
from certificates.numbers import make_number
from certificates.rendering import (
    RENDER_MAX_ATTEMPTS,
    RENDER_TASK,
    certificate_pdf_response,
    certificate_render_again,
    certificate_render_pdf,
    certificates_reconcile,
    missing_pdfs,
    orphans_remove,
    render_failed,
)
from certificates.sanctions import open_suspension, sanctions_in_force
from registrasi import outbox
from registrasi.audit.services import audit_record
from registrasi.dates import JAKARTA, today
from registrasi.services import (
    NotAllowed,
    ServiceError,
    StaleState,
    lock,
    notify,
    refuse_unless_perm,
    require_text,
    run_transition,
)

__all__ = [
    "JAKARTA",
    "RENDER_MAX_ATTEMPTS",
    "NotAllowed",
    "SanctionsNotConfirmed",
    "ServiceError",
    "StaleState",
    "application_approve",
    "certificate_pdf_response",
    "certificate_reinstate",
    "certificate_render_again",
    "certificate_render_pdf",
    "certificate_revoke",
    "certificate_suspend",
    "certificates_expire",
    "certificates_hand_over",
    "certificates_reconcile",
    "expiry_date",
    "fine_impose",
    "fine_mark_paid",
    "follow_up_basis",
    "missing_pdfs",
    "orphans_remove",
    "render_failed",
    "suspensions_lift_ended",
    "today",
]

logger = logging.getLogger(__name__)
S = CertificateState
BATCH_SIZE = 500


# Dates -----------------------------------------------------------------------------------
def expiry_date(issued_on: datetime.date, years: int | None = None) -> datetime.date:
    """The last day of validity: the day before the anniversary `years` later.

    Issued 29 Feb 2028, the anniversary in 2033 (no 29 Feb) is taken as 1 March, so the
    certificate is valid until 28 Feb 2033.
    """
    return validity_end(issued_on, years)


# Helpers ---------------------------------------------------------------------------------
def _require_reason(reason: str) -> str:
    """The stripped reason; the organization reads it, so it may not be empty."""
    return require_text(reason, message=_("Give the reason; the organization will read it."))


def _mark_state_changed(certificate):
    certificate.state_changed_at = timezone.now()


def _next_number(issued_on: datetime.date) -> str:
    """Take the next serial of the year under a row lock (the sequence row)."""
    NumberSequence.objects.get_or_create(year=issued_on.year)
    sequence = NumberSequence.objects.select_for_update().get(year=issued_on.year)
    sequence.last_serial += 1
    sequence.save(update_fields=["last_serial"])
    return make_number(issued_on.year, sequence.last_serial)


def _snapshot(application) -> dict:
    """The company as certified: the details declared in the approved application (what was
    inspected), falling back to the organization's record."""
    organization = application.organization
    sites = "\n".join(
        " ".join(site.address.split()) + f" ({site.get_province_display()})"
        for site in application.sites.all()
    )
    return {
        "legal_name": application.company_legal_name or organization.legal_name,
        "nib": organization.nib,
        "address": application.company_address or organization.address,
        "province": application.company_province or organization.province,
        "agent_seats": application.agent_seats,
        "sites": sites,
    }


# Approval and issue ----------------------------------------------------------------------
def application_approve(
    *, application, actor, expected_state=None, sanctions_confirmed: str = ""
) -> Certificate:
    """Approve an application whose inspection passed and issue its certificate.

    The application row is locked by run_transition, so a second approval (a double click,
    two staff members) waits, then finds the application approved and is refused; the
    unique constraint on Certificate.application backs this up.

    A change report or a renewal follows its basis certificate (see _follow_up_dates):
    - change report: the organization's record is updated from the application, a new
      certificate (new number) with the basis's expiry date replaces the basis at once;
    - renewal: the new certificate takes effect the day after the basis ends (the basis stays
      valid until then and the daily scan hands over), or today if the basis has expired;
      it is valid five years from that day.
    Refused when the basis was revoked or already replaced.

    The successor inherits the basis's sanctions (see _carry_sanctions): suspended as the
    basis is, its unpaid fines moved to it. Staff must have seen them: `sanctions_confirmed`
    is the token of the sanctions shown on the confirmation page (SanctionsInForce.token);
    without it, or when the sanctions changed since, the approval is refused.
    """
    refuse_unless_perm(actor, ISSUE_CERTIFICATE)
    with transaction.atomic():
        basis = _locked_basis(application)
        _refuse_unconfirmed_sanctions(basis, sanctions_confirmed)
        application = run_transition(
            obj=application,
            name="approve",
            actor=actor,
            expected_state=expected_state,
            # Fee paid, every required document's current version accepted: the same
            # check as scheduling (applications.services.refuse_unless_ready).
            before_save=lambda locked: refuse_unless_ready(application=locked, step=APPROVE_STEP),
        ).obj
        issued_on = today()
        valid_from, expires_on = _follow_up_dates(application, basis, issued_on)
        if application.rules.reports_changes:
            from certificates.keeping import organization_apply_change

            organization_apply_change(application=application, actor=actor)
        certificate = Certificate.objects.create(
            application=application,
            organization_id=application.organization_id,
            number=_next_number(issued_on),
            issued_on=issued_on,
            valid_from=valid_from,
            expires_on=expires_on,
            issued_by=actor,
            supersedes=basis,
            **_snapshot(application),
        )
        issued = audit_record(
            actor=actor,
            action="issue",
            obj=certificate,
            to_state=certificate.state,
            data={
                "application": application.pk,
                "expires_on": certificate.expires_on.isoformat(),
                "valid_from": valid_from.isoformat() if valid_from else None,
                "supersedes": basis.pk if basis else None,
            },
        )
        if basis is not None:
            # Fines move to the certificate in force: a renewal that starts later gets
            # them when the daily scan hands over.
            replaces_now = certificate.effective_from <= issued_on
            certificate = _carry_sanctions(
                sanctions_in_force(basis), certificate, actor, fines=replaces_now
            )
            _replace_now_if_due(basis, certificate, application, actor, issued_on)
        outbox.enqueue(RENDER_TASK, certificate.pk)
        notify(issued)
    return certificate


def follow_up_basis(application, *, for_update=False):
    """The certificate a renewal or a change report follows (locked with `for_update`), or
    None for a new application: what approval replaces, and what its page shows."""
    if not application.rules.follows_certificate:
        return None
    certificates = Certificate.objects.all()
    if for_update:
        certificates = certificates.select_for_update()
    basis_id = getattr(application, "basis_certificate_id", None)
    if basis_id:
        return certificates.get(pk=basis_id)
    # Older follow-ups without the link: the organization's newest active certificate.
    return (
        certificates.filter(organization_id=application.organization_id, state=S.ACTIVE)
        .order_by("-issued_on", "-id")
        .first()
    )


def _locked_basis(application):
    """The certificate a renewal or a change report follows, locked, or None for a new
    application. Refused (with the reason) when that certificate was revoked or replaced."""
    basis = follow_up_basis(application, for_update=True)
    if basis is None:
        return None
    if basis.state == S.REVOKED:
        raise NotAllowed(
            _(
                "Certificate %(number)s was revoked: a revoked certificate cannot be renewed "
                "or changed. The organization must apply for a new registration."
            )
            % {"number": basis.number}
        )
    if basis.state == S.SUPERSEDED or Certificate.objects.filter(supersedes=basis).exists():
        raise NotAllowed(
            _("Certificate %(number)s has already been replaced by a newer certificate.")
            % {"number": basis.number}
        )
    if application.rules.needs_valid_certificate and basis.state == S.EXPIRED:
        _refuse_expired_basis(application, basis)
    return basis


def _refuse_expired_basis(application, basis):
    raise NotAllowed(
        _("Certificate %(number)s has expired: a %(kind)s needs a valid certificate.")
        % {"number": basis.number, "kind": application.get_kind_display().lower()}
    )


class SanctionsNotConfirmed(NotAllowed):
    """Staff did not confirm (exactly) the sanctions a successor inherits."""


def _refuse_unconfirmed_sanctions(basis, confirmed: str):
    """Refuse (nothing changed yet) unless staff confirmed exactly the sanctions in force on
    the basis: the successor will inherit them."""
    in_force = sanctions_in_force(basis) if basis is not None else None
    if not in_force or confirmed == in_force.token:
        return
    if confirmed:
        raise SanctionsNotConfirmed(
            _(
                "The sanctions on certificate %(number)s changed since you opened the "
                "confirmation. Check them again and confirm."
            )
            % {"number": basis.number}
        )
    raise SanctionsNotConfirmed(
        _(
            "Certificate %(number)s is under sanction: the new certificate inherits it "
            "(issued suspended if it is suspended, with its unpaid fines). Tick the box to "
            "confirm you have seen the sanction, then approve again."
        )
        % {"number": basis.number}
    )


def _carry_sanctions(in_force, certificate, actor, *, fines=True):
    """The successor `certificate` inherits the sanctions in force on its basis
    (`in_force.certificate`): suspended with the same reason and end date, and (`fines`)
    the unpaid fines moved to it (paid once, on the certificate in force). Returns the
    successor."""
    basis = in_force.certificate
    suspension = in_force.suspension
    if suspension is not None and certificate.state == S.ACTIVE:
        carried = Sanction.objects.create(
            certificate=certificate,
            kind=SanctionKind.SUSPENSION,
            reason=suspension.reason,
            starts_on=suspension.starts_on,
            ends_on=suspension.ends_on,
            created_by=actor,
            carried_from=basis,
        )
        done = run_transition(
            obj=certificate,
            name="carry_suspension",
            actor=actor,
            note=suspension.reason,
            data={
                "carried_from": basis.pk,
                "until": _iso(suspension.ends_on),
                "sanction": carried.pk,
            },
            update_fields=["state_changed_at"],
            before_save=_mark_state_changed,
        )
        certificate = done.obj
        notify(done.event)
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


def _follow_up_dates(application, basis, issued_on):
    """(valid_from or None, expires_on) of the certificate being issued, dated as its kind
    says (applications.kinds: new and renewal of a lapsed certificate from the day of issue,
    change same expiry as the basis, renewal from the day after the basis ends)."""
    if basis is None:
        return None, expiry_date(issued_on)
    if application.rules.needs_valid_certificate and basis.expires_on < issued_on:
        _refuse_expired_basis(application, basis)
    return application.rules.dates(issued_on, basis)


def _replace_now_if_due(basis, certificate, application, actor, on):
    """A change report (or a renewal of an expired certificate) takes effect today: the basis
    is superseded now (an expired one stays expired, linked). A renewal that starts later
    leaves the basis valid; the daily scan hands over on the first day of the new one."""
    if basis.state not in (S.ACTIVE, S.SUSPENDED) or certificate.effective_from > on:
        return
    run_transition(
        obj=basis,
        name="supersede",
        actor=actor,
        # The sentence is rendered when shown, in the reader's language (certificates.notes).
        data={
            "superseded_by": certificate.pk,
            "number": certificate.number,
            "reference": application.reference or str(application.pk),
        },
        update_fields=["state_changed_at"],
        before_save=_mark_state_changed,
    )


# Sanctions -------------------------------------------------------------------------------
def _sanction_decision(
    certificate, name, actor, reason, expected_state, *, kind, starts_on, ends_on=None, data=None
):
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
    )
    done = run_transition(
        obj=certificate,
        name=name,
        actor=actor,
        expected_state=expected_state,
        note=reason,
        data={**(data or {}), "sanction": sanction.pk},
        update_fields=["state_changed_at"],
        before_save=_mark_state_changed,
    )
    notify(done.event)
    return done.obj


def certificate_suspend(
    *, certificate, actor, reason, until=None, starts_on=None, expected_state=None
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


def certificate_reinstate(*, certificate, actor, reason, expected_state=None) -> Certificate:
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


def certificate_revoke(*, certificate, actor, reason, expected_state=None) -> Certificate:
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


def fine_impose(*, certificate, actor, amount, due_date, reason) -> Sanction:
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


def fine_mark_paid(*, sanction, actor, ntpn, ntb, channel, paid_at, receipt_scan):
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


# Daily scan ------------------------------------------------------------------------------
def certificates_expire(*, on: datetime.date | None = None) -> int:
    """Move active or suspended certificates whose validity has passed to `expired` (run
    daily, after the hand-over to renewals that took effect)."""
    on = on or today()
    count = 0
    expired = Certificate.objects.filter(state__in=(S.ACTIVE, S.SUSPENDED), expires_on__lt=on)
    # A plain list of ids, unordered: a server-side cursor (iterator) is planned for its first
    # rows and walked a whole index at 100,000 certificates; this reads only the (state,
    # expires_on) range due (a day's worth of ids).
    for pk in list(expired.order_by().values_list("pk", flat=True)):
        with transaction.atomic():
            certificate = Certificate.objects.get(pk=pk)
            try:
                run_transition(
                    obj=certificate,
                    name="expire",
                    actor=None,
                    update_fields=["state_changed_at"],
                    before_save=_mark_state_changed,
                )
            except NotAllowed:  # changed meanwhile (suspended, revoked): nothing to do
                continue
        count += 1
    return count


def certificates_hand_over(*, on: datetime.date | None = None) -> int:
    """Supersede certificates whose renewal took effect (run daily, before expiring): the old
    one ended yesterday or earlier and its successor is valid from `on` or earlier. The
    successor (active, or suspended as it was issued) inherits what the old one was
    sanctioned with since the renewal was approved."""
    on = on or today()
    successors = Certificate.objects.filter(
        supersedes=OuterRef("pk"), state__in=(S.ACTIVE, S.SUSPENDED), valid_from__lte=on
    )
    due = Certificate.objects.filter(state__in=(S.ACTIVE, S.SUSPENDED), expires_on__lt=on).filter(
        Exists(successors)
    )
    count = 0
    for pk in list(due.order_by().values_list("pk", flat=True)):
        with transaction.atomic():
            basis = Certificate.objects.select_for_update().get(pk=pk)
            in_force = sanctions_in_force(basis)  # read before the state changes
            try:
                basis = run_transition(
                    obj=basis,
                    name="hand_over",
                    actor=None,
                    update_fields=["state_changed_at"],
                    before_save=_mark_state_changed,
                ).obj
            except NotAllowed:
                continue
            successor = basis.superseded_by.order_by("-pk").first()
            _carry_sanctions(in_force, successor, None)
        count += 1
    return count


def suspensions_lift_ended(*, on: datetime.date | None = None) -> int:
    """Reinstate suspended certificates whose suspension's planned end (`until`) has passed
    (run daily). Suspensions without an end wait for staff."""
    on = on or today()
    ended = (
        Sanction.objects.filter(
            kind=SanctionKind.SUSPENSION,
            certificate__state=S.SUSPENDED,
            ends_on__lt=on,
        )
        .order_by("certificate_id", "-created_at", "-id")
        .values_list("certificate_id", "pk")
    )
    latest = {}
    for certificate_id, sanction_id in ended:
        latest.setdefault(certificate_id, sanction_id)
    count = 0
    for certificate_id, sanction_id in latest.items():
        try:
            count += _lift_suspension(certificate_id, sanction_id, on)
        except NotAllowed:  # changed meanwhile (reinstated, revoked): nothing to do
            continue
    return count


def _lift_suspension(certificate_id: int, sanction_id: int, on: datetime.date) -> bool:
    """Lift the suspension `sanction_id` of the certificate unless it was suspended again
    since; the reinstatement is recorded first, so the audit event names it (a refused
    transition rolls it back)."""
    with transaction.atomic():
        newest = (
            Sanction.objects.filter(certificate_id=certificate_id, kind=SanctionKind.SUSPENSION)
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)
            .first()
        )
        if newest != sanction_id:  # suspended again since, with another end
            return False
        reinstatement = Sanction.objects.create(
            certificate_id=certificate_id,
            kind=SanctionKind.REINSTATEMENT,
            # Stored as the source sentence, translated when shown (Sanction.reason_text).
            reason=gettext_noop("The suspension ended on its planned date."),
            starts_on=on,
            created_by=None,
        )
        done = run_transition(
            obj=Certificate.objects.get(pk=certificate_id),
            name="lift_suspension",
            actor=None,
            data={"sanction": reinstatement.pk},
            update_fields=["state_changed_at"],
            before_save=_mark_state_changed,
        )
        notify(done.event)
    return True
