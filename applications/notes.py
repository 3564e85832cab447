"""How the applications app's system events are told in timelines (registrasi.audit.notes):
rendered from the event's data in the reader's language."""

from django.utils.translation import gettext as _

from applications.constants import InvoiceKind
from registrasi.audit.notes import note_renderer
from registrasi.money import format_rupiah


@note_renderer("invoice_issued")
def _invoice_issued(data):
    values = {"number": data.get("number", ""), "amount": format_rupiah(data.get("amount"))}
    if data.get("kind") == InvoiceKind.SUPPLEMENTARY:
        return (
            _(
                "Supplementary invoice %(number)s for %(amount)s: the difference between the new "
                "fee and what was already paid."
            )
            % values
        )
    if data.get("replaces"):
        return _("Invoice %(number)s for %(amount)s replaces invoice %(replaces)s.") % {
            **values,
            "replaces": data["replaces"],
        }
    return ""


@note_renderer("invoice_cancelled")
def _invoice_cancelled(data):
    return _(
        "Invoice %(number)s (%(amount)s) was cancelled: the fee changed before it was paid."
    ) % {"number": data.get("number", ""), "amount": format_rupiah(data.get("amount"))}


@note_renderer("walk_in_entered")
def _walk_in_entered(data):
    if data.get("new"):
        return _(
            "Entered at the ministry's office for a company that came in (NIB %(nib)s); its "
            "organization was registered at the office."
        ) % {"nib": data.get("nib", "")}
    return _(
        "Entered at the ministry's office for the registered organization with NIB %(nib)s."
    ) % {"nib": data.get("nib", "")}
