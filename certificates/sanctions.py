"""The sanctions in force on a certificate: what a successor inherits and what staff confirm.

A certificate's sanctions are in force while it is suspended (its open suspension) and while
a fine is unpaid. A change report or a renewal issues a successor that inherits them
(certificates.services.application_approve): the successor is suspended as its predecessor
was, and the unpaid fines move to it.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.apps import apps

from certificates.constants import CertificateState, SanctionKind

if TYPE_CHECKING:
    from certificates.models import Sanction


def _sanctions():
    """Sanction's manager, looked up rather than imported: certificates.models reads the
    sanctions in force through this module (Certificate.decision, .sanctions_in_force)."""
    return apps.get_model("certificates", "Sanction").objects


@dataclass(frozen=True)
class SanctionsInForce:
    certificate: object
    suspension: "Sanction | None" = None  # the open suspension, when the certificate is suspended
    fines: list = field(default_factory=list)  # unpaid fines, oldest first

    def __bool__(self):
        return self.suspension is not None or bool(self.fines)

    @property
    def fines_total(self) -> int:
        return sum(fine.amount for fine in self.fines)

    @property
    def token(self) -> str:
        """What staff saw and confirmed, compared again when they approve: a sanction
        imposed or a fine paid in between changes it (empty when nothing is in force)."""
        parts = [f"s{self.suspension.pk}"] if self.suspension is not None else []
        parts += [f"f{fine.pk}" for fine in self.fines]
        return ",".join(parts)


def open_suspension(certificate) -> "Sanction | None":
    """The suspension that keeps `certificate` suspended now (its latest), or None. The state
    is read from the database with it (an object loaded earlier may be stale)."""
    return (
        _sanctions()
        .filter(
            certificate=certificate,
            certificate__state=CertificateState.SUSPENDED,
            kind=SanctionKind.SUSPENSION,
        )
        .order_by("-created_at", "-id")
        .first()
    )


def sanctions_in_force(certificate) -> SanctionsInForce:
    """The open suspension and the unpaid fines of `certificate` (two queries)."""
    fines = list(
        _sanctions()
        .filter(certificate=certificate, kind=SanctionKind.FINE, paid_at__isnull=True)
        .order_by("created_at", "id")
    )
    return SanctionsInForce(
        certificate=certificate, suspension=open_suspension(certificate), fines=fines
    )


def latest_decision(certificate) -> "Sanction | None":
    """The suspension or revocation behind the certificate's state (for its holder's pages:
    the reason and the date), or None when it is neither suspended nor revoked."""
    kind = {
        CertificateState.SUSPENDED: SanctionKind.SUSPENSION,
        CertificateState.REVOKED: SanctionKind.REVOCATION,
    }.get(certificate.state)
    if kind is None:
        return None
    return (
        _sanctions()
        .filter(certificate=certificate, kind=kind)
        .order_by("-created_at", "-id")
        .first()
    )


def attach_sanctions(certificates) -> list:
    """Read the sanctions of every certificate in `certificates` in one query and fill their
    `decision` and `sanctions_in_force` (cached properties), so a list page showing a notice
    per suspended or revoked certificate runs no query per row. Returns the list."""
    certificates = list(certificates)
    by_certificate = {certificate.pk: [] for certificate in certificates}
    for sanction in (
        _sanctions().filter(certificate__in=by_certificate).order_by("created_at", "id")
    ):
        by_certificate[sanction.certificate_id].append(sanction)
    for certificate in certificates:
        sanctions = by_certificate[certificate.pk]
        certificate.__dict__["decision"] = _latest(certificate, sanctions)
        suspension = (
            _latest_of(sanctions, SanctionKind.SUSPENSION)
            if certificate.state == CertificateState.SUSPENDED
            else None
        )
        fines = [s for s in sanctions if s.kind == SanctionKind.FINE and s.paid_at is None]
        certificate.__dict__["sanctions_in_force"] = SanctionsInForce(
            certificate=certificate, suspension=suspension, fines=fines
        )
    return certificates


def _latest_of(sanctions, kind) -> "Sanction | None":
    return next((s for s in reversed(sanctions) if s.kind == kind), None)


def _latest(certificate, sanctions) -> "Sanction | None":
    kind = {
        CertificateState.SUSPENDED: SanctionKind.SUSPENSION,
        CertificateState.REVOKED: SanctionKind.REVOCATION,
    }.get(certificate.state)
    return _latest_of(sanctions, kind) if kind is not None else None
