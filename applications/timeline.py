"""How the application page's timeline names the application's events: one label per audit
action, and the detail line of document and invoice events (registrasi.audit.selectors)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.constants import ApplicationState, ReviewStatus, document_type_label
from registrasi.audit.selectors import TimelineEntry, timeline_entries
from registrasi.money import format_rupiah

ACTION_LABELS = {
    "create": gettext_lazy("Draft started"),
    "update_details": gettext_lazy("Details changed"),
    "set_sites": gettext_lazy("Sites changed"),
    "document_upload": gettext_lazy("Document uploaded"),
    "document_review": gettext_lazy("Document reviewed"),
    "document_purged": gettext_lazy("Document removed under the retention rule"),
    "submit": gettext_lazy("Submitted"),
    "invoice_issued": gettext_lazy("Invoice issued"),
    "invoice_amended": gettext_lazy("Invoice amount updated"),
    "invoice_cancelled": gettext_lazy("Invoice cancelled"),
    "payment_recorded": gettext_lazy("Payment recorded"),
    "start_review": gettext_lazy("Review started"),
    "return_for_changes": gettext_lazy("Returned for changes"),
    "accept": gettext_lazy("Accepted for inspection"),
    "reject": gettext_lazy("Rejected"),
    "withdraw": gettext_lazy("Withdrawn"),
    "schedule": gettext_lazy("Inspection scheduled"),
    "unschedule": gettext_lazy("Inspection cancelled"),
    "record_pass": gettext_lazy("Inspection passed"),
    "record_fail": gettext_lazy("Inspection failed"),
    "resubmit": gettext_lazy("Resubmitted for inspection"),
    "approve": gettext_lazy("Approved"),
}
DOCUMENT_ACTIONS = ("document_upload", "document_review", "document_purged")


def _label(choices, value):
    return choices(value).label if value in choices.values else value


def _describe(event) -> str:
    """A document event names the document and its version (and the review's outcome); an
    invoice event its number and amount."""
    data = event.data or {}
    if event.action in DOCUMENT_ACTIONS and data.get("document_type"):
        detail = _("%(type)s, version %(version)s") % {
            "type": document_type_label(data["document_type"]),  # also a legacy type
            "version": data.get("version", "?"),
        }
        if data.get("status"):
            detail += " — " + str(_label(ReviewStatus, data["status"]))
        return detail
    if event.action.startswith("invoice_") and data.get("number"):
        return f"{data['number']} · {format_rupiah(data.get('amount'))}"
    return ""


def application_timeline(events) -> list[TimelineEntry]:
    """The application's audit events (ApplicationDetail.timeline) as its page shows them."""
    return timeline_entries(
        events, labels=ACTION_LABELS, states=ApplicationState, describe=_describe
    )
