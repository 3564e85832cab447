"""Emails about an inspection: when it is booked, moved or cancelled (the organization's
members and the inspector) and when its outcome is recorded (the members).

One audit event -> one email per recipient, in the recipient's own language. An EmailNotice
row per (event, recipient) makes sending idempotent: a retried task sends nothing twice.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from inspections.models import EmailNotice, Inspection, ScheduleChange
from registrasi.accounts.models import User
from registrasi.audit.models import AuditEvent

SUBJECTS = {
    "schedule": _("Inspection scheduled for application %(ref)s"),
    "reschedule": _("Inspection for application %(ref)s moved to a new date"),
    "cancel": _("Inspection for application %(ref)s cancelled"),
    "submit_pass": _("Application %(ref)s passed its inspection"),
    "submit_fail": _("Application %(ref)s failed its inspection: corrective actions needed"),
}
# Who hears about what, besides the organization's members.
TELLS_INSPECTOR = ("schedule", "reschedule", "cancel")


def inspection_url(inspection) -> str:
    try:
        path = reverse("inspections:detail", args=[inspection.pk])
    except NoReverseMatch:
        path = "/"
    return f"{settings.SITE_URL}{path}"


def recipients_for(event, inspection) -> list:
    members = list(
        User.objects.filter(
            membership_record__organization_id=inspection.application.organization_id,
            is_active=True,
        ).order_by("pk")
    )
    if event.action not in TELLS_INSPECTOR:
        return members
    inspectors = [inspection.inspector]
    change_pk = (event.data or {}).get("change")
    if change_pk:
        change = ScheduleChange.objects.select_related("old_inspector").filter(pk=change_pk).first()
        if change is not None and change.old_inspector is not None:
            inspectors.append(change.old_inspector)
    return members + [user for user in inspectors if user.is_active]


def render_email(event, inspection, recipient) -> tuple[str, str]:
    """(subject, body) in the recipient's language."""
    application = inspection.application
    with translation.override(recipient.language):
        reference = application.reference or str(application)
        subject = str(SUBJECTS[event.action] % {"ref": reference})
        body = render_to_string(
            f"inspections/email/{event.action}.txt",
            {
                "recipient": recipient,
                "is_inspector": recipient.pk == inspection.inspector_id,
                "was_inspector": recipient.pk == (event.data or {}).get("old_inspector"),
                "inspection": inspection,
                "application": application,
                "reference": reference,
                "company": application.company_legal_name or application.organization.legal_name,
                "inspector_name": inspection.inspector.get_full_name(),
                "note": event.note,
                "findings": list(inspection.findings.all()),
                "url": inspection_url(inspection),
            },
        )
    return subject, body


def send_event_emails(event_id: int) -> int:
    """Send the emails for one audit event on an inspection; returns how many were sent."""
    event = AuditEvent.objects.filter(pk=event_id).first()
    if event is None or event.action not in SUBJECTS:
        return 0
    if event.content_type_id != ContentType.objects.get_for_model(Inspection).pk:
        return 0
    inspection = Inspection.objects.select_related("application__organization", "inspector").get(
        pk=int(event.object_id)
    )
    sent = 0
    for recipient in recipients_for(event, inspection):
        # The row and the email belong together: if sending fails the row is rolled back
        # and the retry sends again; a concurrent duplicate waits on the unique row.
        with transaction.atomic():
            _notice, created = EmailNotice.objects.get_or_create(event=event, recipient=recipient)
            if not created:
                continue
            subject, body = render_email(event, inspection, recipient)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
            sent += 1
    return sent
