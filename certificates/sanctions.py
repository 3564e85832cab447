"""The sanctions in force on a certificate: what a successor inherits and what staff confirm.

A certificate's sanctions are in force while it is suspended (its open suspension) and while
a fine is unpaid. A change report or a renewal issues a successor that inherits them
(certificates.services.application_approve): the successor is suspended as its predecessor
was, and the unpaid fines move to it.
"""

from dataclasses import dataclass, field

from certificates.constants import CertificateState, SanctionKind
from certificates.models import Sanction


@dataclass(frozen=True)
class SanctionsInForce:
    certificate: object
    suspension: Sanction | None = None  # the open suspension, when the certificate is suspended
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


def open_suspension(certificate) -> Sanction | None:
    """The suspension that keeps `certificate` suspended now (its latest), or None. The state
    is read from the database with it (an object loaded earlier may be stale)."""
    return (
        Sanction.objects.filter(
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
        Sanction.objects.filter(
            certificate=certificate, kind=SanctionKind.FINE, paid_at__isnull=True
        ).order_by("created_at", "id")
    )
    return SanctionsInForce(
        certificate=certificate, suspension=open_suspension(certificate), fines=fines
    )


def latest_decision(certificate) -> Sanction | None:
    """The suspension or revocation behind the certificate's state (for its holder's pages:
    the reason and the date), or None when it is neither suspended nor revoked."""
    kind = {
        CertificateState.SUSPENDED: SanctionKind.SUSPENSION,
        CertificateState.REVOKED: SanctionKind.REVOCATION,
    }.get(certificate.state)
    if kind is None:
        return None
    return (
        Sanction.objects.filter(certificate=certificate, kind=kind)
        .order_by("-created_at", "-id")
        .first()
    )
