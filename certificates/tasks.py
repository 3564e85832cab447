"""Background work for certificates. Tasks take ids, re-read, and are idempotent.

render_certificate_pdf runs on the `pdf` queue (CELERY_TASK_ROUTES sends `*.render_*`
there); acks_late and reject_on_worker_lost (settings) make a task whose worker died run
again, and certificates.services.certificate_render_pdf makes that second run safe.
"""

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.defaultfilters import date as format_date
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from certificates.signing import SigningKeyMissing, verification_url

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


@shared_task(
    name="certificates.tasks.notify_certificate_event",
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def notify_certificate_event(certificate_id: int, event: str, sanction_id: int | None = None):
    """Email the organization's members about what happened to their certificate."""
    return send_certificate_emails(certificate_id, event, sanction_id)


@shared_task(name="certificates.tasks.daily_scan", acks_late=True)
def daily_scan() -> dict:
    """Daily (beat): end suspensions whose planned end passed, expire certificates whose
    validity passed. Both are idempotent: running twice changes nothing more."""
    from certificates.services import certificates_expire, suspensions_lift_ended

    return {"lifted": suspensions_lift_ended(), "expired": certificates_expire()}


def certificate_url(certificate) -> str:
    try:
        path = reverse("certificates:detail", args=[certificate.pk])
    except NoReverseMatch:
        path = f"/certificates/{certificate.pk}/"
    return f"{settings.SITE_URL}{path}"


def render_certificate_email(certificate, event, sanction, recipient) -> tuple[str, str]:
    """(subject, body) in the recipient's language, dates and money formatted for it."""
    from applications.fees import format_rupiah

    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        subject = str(SUBJECTS[event] % {"number": certificate.number})
        body = render_to_string(
            f"certificates/email/{event}.txt",
            {
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
    return subject, body


def send_certificate_emails(certificate_id: int, event: str, sanction_id: int | None) -> int:
    """One email per active member of the certificate's organization; returns the count."""
    from certificates.models import Certificate, CertificateNotification, Sanction
    from registrasi.accounts.models import User

    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None or event not in SUBJECTS:
        return 0
    sanction = Sanction.objects.filter(pk=sanction_id).first() if sanction_id else None
    recipients = User.objects.filter(
        membership_record__organization_id=certificate.organization_id, is_active=True
    ).order_by("pk")
    key = f"{event}:{sanction_id or 0}"
    sent = 0
    for recipient in recipients:
        # The row and the email belong together: if sending fails the row is rolled back
        # and the retry sends again; a duplicate task finds the row and sends nothing.
        with transaction.atomic():
            _row, created = CertificateNotification.objects.get_or_create(
                certificate=certificate, key=key, recipient=recipient
            )
            if not created:
                continue
            subject, body = render_certificate_email(certificate, event, sanction, recipient)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
            sent += 1
    return sent
