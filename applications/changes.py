"""What a change report changes: its declared facts and sites compared with the application
its certificate was issued on (reached through `basis_certificate`)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from applications.constants import COMPANY_FIELDS
from applications.models import DocumentVersion


@dataclass(frozen=True)
class Difference:
    label: str
    before: str
    after: str


def _display(application, name):
    value = getattr(application, name)
    if name == "foreign_owned":
        return _("Yes") if value else _("No")
    display = getattr(application, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    return "" if value is None else str(value)


def _sites_text(application):
    return [
        f"{' '.join(s.address.split())} ({s.get_province_display()}, {s.agent_seats})"
        for s in application.sites.all()
    ]


def differences(application, basis=None) -> list[Difference]:
    """The declared facts and sites of a follow-up application that differ from the
    application its certificate was issued on. Empty for a new registration."""
    if basis is None:
        certificate = application.basis_certificate
        if certificate is None:
            return []
        basis = certificate.application
    found = []
    for name in COMPANY_FIELDS:
        if getattr(application, name) != getattr(basis, name):
            label = str(application._meta.get_field(name).verbose_name)
            found.append(
                Difference(
                    label[:1].upper() + label[1:],
                    _display(basis, name),
                    _display(application, name),
                )
            )
    before, after = _sites_text(basis), _sites_text(application)
    if sorted(before) != sorted(after):
        found.append(Difference(str(_("Sites")), "; ".join(before), "; ".join(after)))
    return found


def has_new_documents(application) -> bool:
    """Whether a file was uploaded to this application (not carried over)."""
    return DocumentVersion.objects.filter(
        document__application=application, carried_from__isnull=True
    ).exists()
