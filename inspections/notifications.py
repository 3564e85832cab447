"""Emails about an inspection: when it is booked, moved or cancelled (the organization's
members and the inspector) and when its outcome is recorded (the members).

One audit event -> one email per recipient, in the recipient's own language. The sending,
and the receipt that makes it happen once, are shared: registrasi.notifications (this module
provides its `email_plan`).
"""

from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from inspections.models import Inspection, ScheduleChange
from registrasi import notifications
from registrasi.accounts.models import User
from registrasi.audit.notes import render_note

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
    change_pk = (event.data or {}).get("schedule_change")
    if change_pk:
        change = ScheduleChange.objects.select_related("old_inspector").filter(pk=change_pk).first()
        if change is not None and change.old_inspector is not None:
            inspectors.append(change.old_inspector)
    return members + [user for user in inspectors if user.is_active]


def render_email(event, inspection, recipient) -> tuple[str, str]:
    """(subject, body) in the recipient's language."""
    application = inspection.application
    with notifications.in_language_of(recipient):
        reference = application.reference or str(application)
        return notifications.render_email(
            SUBJECTS[event.action] % {"ref": reference},
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
                "note": render_note(event),
                "findings": list(inspection.findings.all()),
                "url": inspection_url(inspection),
            },
        )


def email_plan(event) -> notifications.EmailPlan | None:
    """Who is emailed about an audit event on an inspection, and what (None: nobody)."""
    if event.action not in SUBJECTS:
        return None
    if event.content_type_id != ContentType.objects.get_for_model(Inspection).pk:
        return None
    inspection = Inspection.objects.select_related("application__organization", "inspector").get(
        pk=int(event.object_id)
    )
    return notifications.EmailPlan(
        recipients=recipients_for(event, inspection),
        render=partial(render_email, event, inspection),
    )
