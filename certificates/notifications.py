"""Emails to the organization's members about what happened to their certificate: issued,
suspended, reinstated, revoked, fined, fine paid, and the expiry reminders.

One audit event on the certificate -> one email per active member of the organization, in the
member's own language. The sending, and the receipt that makes it happen once, are shared:
registrasi.notifications (this module provides its `email_plan`). An event about a sanction
names it in its data ("sanction"); an expiry reminder names its milestone ("milestone").
"""

from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from certificates.constants import EXPIRY_REMINDER
from certificates.models import Certificate, Sanction
from certificates.reminders import open_renewal
from certificates.signing import verification_url
from registrasi import notifications
from registrasi.accounts.models import User
from registrasi.formats.display import format_day
from registrasi.money import format_rupiah

# The audit action that emails the members, and its subject. The expiry reminder's subject
# depends on the milestone (expiry_subject).
SUBJECTS = {
    "issue": gettext_lazy("Registration certificate %(number)s issued"),
    "suspend": gettext_lazy("Registration certificate %(number)s suspended"),
    "carry_suspension": gettext_lazy("Registration certificate %(number)s suspended"),
    "reinstate": gettext_lazy("Registration certificate %(number)s reinstated"),
    "lift_suspension": gettext_lazy("Registration certificate %(number)s reinstated"),
    "revoke": gettext_lazy("Registration certificate %(number)s revoked"),
    "fine_impose": gettext_lazy("Fine imposed: registration certificate %(number)s"),
    "fine_paid": gettext_lazy("Fine paid: registration certificate %(number)s"),
    EXPIRY_REMINDER: None,
}
# The template of each (templates/certificates/email/<name>.txt).
TEMPLATES = {
    "issue": "issued",
    "suspend": "suspended",
    "carry_suspension": "suspended",
    "reinstate": "reinstated",
    "lift_suspension": "reinstated",
    "revoke": "revoked",
    "fine_impose": "fined",
    "fine_paid": "fine_paid",
    EXPIRY_REMINDER: "expiry_reminder",
}


def certificate_url(certificate) -> str:
    try:
        path = reverse("certificates:detail", args=[certificate.pk])
    except NoReverseMatch:
        path = f"/certificates/{certificate.pk}/"
    return f"{settings.SITE_URL}{path}"


def _site_url(name, *args) -> str:
    try:
        return f"{settings.SITE_URL}{reverse(name, args=args)}"
    except NoReverseMatch:
        return settings.SITE_URL


def recipients_for(certificate):
    return User.objects.filter(
        membership_record__organization_id=certificate.organization_id, is_active=True
    ).order_by("pk")


def expiry_subject(certificate, milestone: int) -> str:
    if milestone == 0:
        return _("Registration certificate %(number)s expires today") % {
            "number": certificate.number
        }
    return ngettext(
        "Registration certificate %(number)s expires in %(days)d day",
        "Registration certificate %(number)s expires in %(days)d days",
        milestone,
    ) % {"number": certificate.number, "days": milestone}


def _expiry_context(certificate, milestone: int) -> dict:
    renewal = open_renewal(certificate)
    return {
        "milestone": milestone,
        "open_renewal": renewal,
        "renewal_url": _site_url("applications:detail", renewal.pk) if renewal else "",
        "dashboard_url": _site_url("applications:dashboard"),
    }


def _issue_context(certificate) -> dict:
    """What approval did, in the words of the kind of the application it was issued on."""
    rules = certificate.application.rules
    return {
        "approval_effect": rules.approval_effect(
            issued_on=certificate.issued_on, basis=certificate.supersedes
        )
    }


def _subject_and_context(event, certificate) -> tuple[str, dict]:
    if event.action == EXPIRY_REMINDER:
        milestone = int(event.data["milestone"])
        return expiry_subject(certificate, milestone), _expiry_context(certificate, milestone)
    subject = SUBJECTS[event.action] % {"number": certificate.number}
    return subject, _issue_context(certificate) if event.action == "issue" else {}


def render_email(event, certificate, sanction, recipient) -> tuple[str, str]:
    """(subject, body) in the recipient's language, dates and money formatted for it."""
    with notifications.in_language_of(recipient):
        subject, extra = _subject_and_context(event, certificate)
        return notifications.render_email(
            subject,
            f"certificates/email/{TEMPLATES[event.action]}.txt",
            {
                **extra,
                "recipient": recipient,
                "certificate": certificate,
                "sanction": sanction,
                "issued_on": format_day(certificate.issued_on),
                "expires_on": format_day(certificate.expires_on),
                "ends_on": format_day(sanction.ends_on) if sanction else "",
                "due_date": format_day(sanction.due_date) if sanction else "",
                "amount": format_rupiah(sanction.amount) if sanction and sanction.amount else "",
                "url": certificate_url(certificate),
                "verify_url": verification_url(certificate.number),
            },
        )


def email_plan(event) -> notifications.EmailPlan | None:
    """Who is emailed about an audit event on a certificate, and what (None: nobody)."""
    if event.action not in SUBJECTS:
        return None
    if event.content_type_id != ContentType.objects.get_for_model(Certificate).pk:
        return None
    certificate = Certificate.objects.filter(pk=int(event.object_id)).first()
    if certificate is None:
        return None
    sanction_id = (event.data or {}).get("sanction")
    sanction = Sanction.objects.filter(pk=sanction_id).first() if sanction_id else None
    return notifications.EmailPlan(
        recipients=recipients_for(certificate),
        render=partial(render_email, event, certificate, sanction),
    )
