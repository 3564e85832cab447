"""Emails to the applicant's members about what happened to their application.

One audit event -> one email per active member of the organization, in the member's own
language. The sending, and the receipt that makes it happen once, are shared:
registrasi.notifications (this module provides its `email_plan`).
"""

from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from applications.billing import notifications as billing_notifications
from applications.models import Application
from registrasi import notifications
from registrasi.accounts.models import User
from registrasi.audit.notes import render_note
from registrasi.money import format_rupiah

SUBJECTS = {
    "submit": _("Application %(ref)s received"),
    "return_for_changes": _("Application %(ref)s: changes requested"),
    "accept": _("Application %(ref)s accepted for inspection"),
    "reject": _("Application %(ref)s rejected"),
    "withdraw": _("Application %(ref)s withdrawn"),
    "payment_recorded": _("Payment received for application %(ref)s"),
    "billing_paid": _("Payment received for application %(ref)s"),
    "billing_discrepancy_applied": _("Payment received for application %(ref)s"),
    "billing_discrepancy": _("Payment discrepancy for application %(ref)s"),
}


def application_url(application) -> str:
    try:
        path = reverse("applications:detail", args=[application.pk])
    except NoReverseMatch:
        path = reverse("applications:dashboard")
    return f"{settings.SITE_URL}{path}"


def recipients_for(application):
    return User.objects.filter(
        membership_record__organization_id=application.organization_id, is_active=True
    ).order_by("pk")


def rejected_documents(application):
    """[(document type label, reason)] for the current versions the ministry rejected."""
    from applications.selectors import application_detail

    return [
        (str(version.document.get_document_type_display()), version.review_reason)
        for version in application_detail(application=application).rejected_versions
    ]


def render_email(event, application, recipient) -> tuple[str, str]:
    """(subject, body) in the recipient's language."""
    invoice = application.invoice  # the one to pay now, else the newest paid one
    with notifications.in_language_of(recipient):
        reference = application.reference or str(application)
        return notifications.render_email(
            SUBJECTS[event.action] % {"ref": reference},
            f"applications/email/{event.action}.txt",
            {
                "recipient": recipient,
                "application": application,
                "reference": reference,
                "state": application.get_state_display(),
                "event": event,
                "note": render_note(event),
                "invoice": invoice,
                "invoice_amount": format_rupiah(invoice.amount) if invoice else "",
                "payment_amount": format_rupiah(event.data.get("amount"))
                if event.data.get("amount")
                else "",
                "url": application_url(application),
                "rejected_documents": rejected_documents(application)
                if event.action == "return_for_changes"
                else [],
            },
        )


def email_plan(event) -> notifications.EmailPlan | None:
    """Who is emailed about an audit event on an application, and what (None: nobody)."""
    if event.action not in SUBJECTS:
        return None
    if event.content_type_id != ContentType.objects.get_for_model(Application).pk:
        return None
    application = Application.objects.select_related("organization").get(pk=int(event.object_id))
    return notifications.EmailPlan(
        recipients=billing_notifications.recipients(
            event.action, application, recipients_for(application)
        ),
        render=partial(render_email, event, application),
    )


def send_event_emails(event_id: int) -> int:
    """Send the emails for one audit event on an application; returns how many were sent."""
    return notifications.send_event_emails(event_id, email_plan)
