"""How a certificate's history (on its page, for the staff) names its events: one label per
audit action, and a fine's amount (registrasi.audit.selectors)."""

from django.utils.translation import gettext_lazy

from certificates.constants import CertificateState, SanctionKind
from certificates.selectors import certificate_history
from registrasi.audit.selectors import TimelineEntry, timeline_entries
from registrasi.money import format_rupiah

# The audit actions written by certificates.services.
HISTORY_ACTIONS = {
    "issue": gettext_lazy("Certificate issued"),
    "suspend": gettext_lazy("Suspended"),
    "reinstate": gettext_lazy("Reinstated"),
    "revoke": gettext_lazy("Revoked"),
    "supersede": gettext_lazy("Replaced by a newer certificate"),
    "expire": gettext_lazy("Expired"),
    "fine_impose": gettext_lazy("Fine imposed"),
    "fine_paid": gettext_lazy("Fine recorded as paid"),
    "carry_suspension": gettext_lazy(
        "Issued suspended: the suspension of the certificate it replaces carries over"
    ),
    "fine_carry": gettext_lazy("Unpaid fine carried over from the certificate it replaces"),
    "hand_over": gettext_lazy("Replaced by the renewed certificate"),
    "expiry_reminder": gettext_lazy("Expiry reminder emailed"),
}


def certificate_timeline(certificate) -> list[TimelineEntry]:
    """The certificate's audit events, oldest first, as its history shows them; an event
    about a fine carries the fine's amount."""
    history = certificate_history(certificate)
    sanctions = {entry.event.pk: entry.sanction for entry in history}

    def describe(event):
        sanction = sanctions.get(event.pk)
        if sanction is not None and sanction.kind == SanctionKind.FINE:
            return format_rupiah(sanction.amount)
        return ""

    return timeline_entries(
        history.events, labels=HISTORY_ACTIONS, states=CertificateState, describe=describe
    )
