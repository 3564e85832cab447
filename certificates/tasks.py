"""Background work for certificates. Tasks take ids, re-read, and are idempotent.

render_certificate_pdf runs on the `pdf` queue (CELERY_TASK_ROUTES sends `*.render_*`
there); acks_late and reject_on_worker_lost (settings) make a task whose worker died run
again, and certificates.services.certificate_render_pdf makes that second run safe.
"""

from functools import partial

from celery import shared_task
from django.conf import settings
from django.template.defaultfilters import date as format_date
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from certificates.signing import SigningKeyMissing, verification_url
from registrasi import notifications

BUSY_RETRY_SECONDS = 30

SUBJECTS = {
    "issued": _("Registration certificate %(number)s issued"),
    "suspended": _("Registration certificate %(number)s suspended"),
    "reinstated": _("Registration certificate %(number)s reinstated"),
    "revoked": _("Registration certificate %(number)s revoked"),
    "fined": _("Fine imposed: registration certificate %(number)s"),
    "fine_paid": _("Fine paid: registration certificate %(number)s"),
}


@shared_task(
    bind=True,
    name="certificates.tasks.render_certificate_pdf",
    acks_late=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(SigningKeyMissing,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def render_certificate_pdf(self, certificate_id: int) -> str:
    """Render, sign and store the certificate's PDF unless it exists already.

    "busy": another run (or a staff action) holds the certificate's row right now. This run
    leaves without rendering and looks again a little later, when it will usually find the
    PDF there.
    """
    from certificates.services import certificate_render_pdf

    outcome = certificate_render_pdf(certificate_id=certificate_id)
    if outcome == "busy" and not self.request.is_eager:
        raise self.retry(countdown=BUSY_RETRY_SECONDS)
    return outcome


@shared_task(name="certificates.tasks.notify_certificate_event", **notifications.EMAIL_TASK_OPTIONS)
def notify_certificate_event(certificate_id: int, event: str, sanction_id: int | None = None):
    """Email the organization's members about what happened to their certificate."""
    return send_certificate_emails(certificate_id, event, sanction_id)


@shared_task(name="certificates.tasks.daily_scan", acks_late=True)
def daily_scan() -> dict:
    """Daily (beat): end suspensions whose planned end passed, hand over to renewals that took
    effect, expire certificates whose validity passed, send the expiry reminders due. All
    idempotent: running twice (or two at once) changes and sends nothing more."""
    from certificates.reminders import send_due_reminders
    from certificates.services import (
        certificates_expire,
        certificates_hand_over,
        suspensions_lift_ended,
    )

    return {
        "lifted": suspensions_lift_ended(),
        "handed_over": certificates_hand_over(),
        "expired": certificates_expire(),
        "reminders": len(send_due_reminders()),
    }


@shared_task(name="certificates.tasks.send_expiry_reminders", acks_late=True)
def send_expiry_reminders() -> int:
    """The reminder part of the daily scan on its own (for operators and tests)."""
    from certificates.reminders import send_due_reminders

    return len(send_due_reminders())


@shared_task(name="certificates.tasks.send_expiry_reminder", **notifications.EMAIL_TASK_OPTIONS)
def send_expiry_reminder(certificate_id: int, milestone: int) -> int:
    """Email the members about one expiry milestone (recorded by the scan before this ran);
    the milestone counts as delivered once every member's email went out."""
    from certificates.reminders import mark_delivered

    sent = send_certificate_emails(certificate_id, f"expiry_{milestone}", None)
    mark_delivered(certificate_id, milestone)
    return sent


@shared_task(name="certificates.tasks.reconcile_certificates", acks_late=True)
def reconcile_certificates() -> list[int]:
    """Periodic (beat): enqueue the PDF render again for certificates that have none."""
    from certificates.services import certificates_reconcile

    return certificates_reconcile()


def certificate_url(certificate) -> str:
    try:
        path = reverse("certificates:detail", args=[certificate.pk])
    except NoReverseMatch:
        path = f"/certificates/{certificate.pk}/"
    return f"{settings.SITE_URL}{path}"


EXPIRY_PREFIX = "expiry_"


def _expiry_milestone(event: str) -> int | None:
    """60 for "expiry_60"; None for any other event."""
    if not event.startswith(EXPIRY_PREFIX):
        return None
    try:
        return int(event.removeprefix(EXPIRY_PREFIX))
    except ValueError:
        return None


def _expiry_subject(certificate, milestone):
    if milestone == 0:
        return _("Registration certificate %(number)s expires today") % {
            "number": certificate.number
        }
    return ngettext(
        "Registration certificate %(number)s expires in %(days)d day",
        "Registration certificate %(number)s expires in %(days)d days",
        milestone,
    ) % {"number": certificate.number, "days": milestone}


def _expiry_context(certificate, milestone):
    from certificates.reminders import open_renewal

    renewal = open_renewal(certificate)
    return {
        "milestone": milestone,
        "open_renewal": renewal,
        "renewal_url": _site_url("applications:detail", renewal.pk) if renewal else "",
        "dashboard_url": _site_url("applications:dashboard"),
    }


def _event_context(certificate):
    """What approval did, in the words of the kind of the application it was issued on."""
    rules = certificate.application.rules
    return {
        "approval_effect": rules.approval_effect(
            issued_on=certificate.issued_on, basis=certificate.supersedes, date_format="j F Y"
        )
    }


def _site_url(name, *args) -> str:
    try:
        return f"{settings.SITE_URL}{reverse(name, args=args)}"
    except NoReverseMatch:
        return settings.SITE_URL


def render_certificate_email(certificate, event, sanction, recipient) -> tuple[str, str]:
    """(subject, body) in the recipient's language, dates and money formatted for it."""
    from registrasi.money import format_rupiah

    milestone = _expiry_milestone(event)
    with notifications.in_language_of(recipient):
        if milestone is None:
            subject = SUBJECTS[event] % {"number": certificate.number}
            template, extra = f"certificates/email/{event}.txt", _event_context(certificate)
        else:
            subject = _expiry_subject(certificate, milestone)
            template = "certificates/email/expiry_reminder.txt"
            extra = _expiry_context(certificate, milestone)
        return notifications.render_email(
            subject,
            template,
            {
                **extra,
                "recipient": recipient,
                "certificate": certificate,
                "sanction": sanction,
                "issued_on": format_date(certificate.issued_on, "j F Y"),
                "expires_on": format_date(certificate.expires_on, "j F Y"),
                "ends_on": format_date(sanction.ends_on, "j F Y") if sanction else "",
                "due_date": format_date(sanction.due_date, "j F Y") if sanction else "",
                "amount": format_rupiah(sanction.amount) if sanction and sanction.amount else "",
                "url": certificate_url(certificate),
                "verify_url": verification_url(certificate.number),
            },
        )


def send_certificate_emails(certificate_id: int, event: str, sanction_id: int | None) -> int:
    """One email per active member of the certificate's organization; returns the count."""
    from certificates.models import Certificate, CertificateNotification, Sanction
    from registrasi.accounts.models import User

    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None or (event not in SUBJECTS and _expiry_milestone(event) is None):
        return 0
    sanction = Sanction.objects.filter(pk=sanction_id).first() if sanction_id else None
    recipients = User.objects.filter(
        membership_record__organization_id=certificate.organization_id, is_active=True
    ).order_by("pk")
    key = f"{event}:{sanction_id or 0}"

    # Keyed by certificate + event name (+ sanction), not by an audit event: the expiry
    # reminders have none, so these receipts stay CertificateNotification rows.
    def receipt_for(recipient):
        return CertificateNotification.objects.get_or_create(
            certificate=certificate, key=key, recipient=recipient
        )[0]

    return notifications.deliver(
        recipients=recipients,
        render=partial(render_certificate_email, certificate, event, sanction),
        receipt_for=receipt_for,
    )
