"""Every write to a certificate, through one door: `from certificates import services`.

Issuing a certificate on approval lives here; the sanctions (certificates.sanctioning), the
daily scan (certificates.scans) and the PDF (certificates.rendering) are re-exported.

All functions are keyword-only, take the `actor`, run in one transaction with the rows they
change locked, and write an audit event. State changes go through
registrasi.services.run_transition. Work that must not run unless the transaction commits
(rendering the PDF, emails) is written to the outbox (registrasi.outbox) in the same
transaction and handed to Celery after the commit.
"""

import datetime

# The storage the PDF is written to (tests replace its methods through this name).
from django.core.files.storage import default_storage  # noqa: F401
from django.db import transaction
from django.utils.translation import gettext as _

from applications.kinds import validity_end
from applications.models import Application
from applications.services import APPROVE_STEP, refuse_unless_ready
from certificates.constants import ISSUE_CERTIFICATE, CertificateState
from certificates.models import Certificate, NumberSequence
from certificates.numbers import make_number
from certificates.rendering import (
    RENDER_MAX_ATTEMPTS,
    RENDER_TASK,
    certificate_render_again,
    certificate_render_pdf,
    certificates_reconcile,
    missing_pdfs,
    orphans_remove,
    render_failed,
)
from certificates.sanctioning import (
    carry_sanctions,
    certificate_reinstate,
    certificate_revoke,
    certificate_suspend,
    fine_impose,
    fine_mark_paid,
)
from certificates.sanctions import sanctions_in_force
from certificates.scans import certificates_expire, certificates_hand_over, suspensions_lift_ended
from registrasi import outbox
from registrasi.accounts.models import User
from registrasi.audit.services import audit_record
from registrasi.dates import JAKARTA, today
from registrasi.services import (
    NotAllowed,
    ServiceError,
    StaleState,
    notify,
    refuse_unless_perm,
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

S = CertificateState


# Dates -----------------------------------------------------------------------------------
def expiry_date(issued_on: datetime.date, years: int | None = None) -> datetime.date:
    """The last day of validity: the day before the anniversary `years` later.

    Issued 29 Feb 2028, the anniversary in 2033 (no 29 Feb) is taken as 1 March, so the
    certificate is valid until 28 Feb 2033.
    """
    return validity_end(issued_on, years)


# Helpers ---------------------------------------------------------------------------------
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
    *,
    application: Application,
    actor: User,
    expected_state: str | None = None,
    sanctions_confirmed: str = "",
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
            certificate = carry_sanctions(
                in_force=sanctions_in_force(basis),
                certificate=certificate,
                actor=actor,
                fines=replaces_now,
            )
            _replace_now_if_due(basis, certificate, application, actor, issued_on)
        outbox.enqueue(RENDER_TASK, certificate.pk)
        notify(issued)
    return certificate


def follow_up_basis(application: Application, *, for_update: bool = False) -> Certificate | None:
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
    )
