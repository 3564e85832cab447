"""Background work for certificates. Tasks take ids, re-read, and are idempotent.

render_certificate_pdf runs on the `pdf` queue (CELERY_TASK_ROUTES sends `*.render_*`
there); acks_late and reject_on_worker_lost (settings) make a task whose worker died run
again, and certificates.services.certificate_render_pdf makes that second run safe.

The emails about a certificate (issued, sanctions, expiry reminders) are sent by the one
email task of audit events (registrasi.audit.tasks.send_event_emails), as declared in
certificates.notifications.
"""

from celery import shared_task

from certificates import reminders, services
from certificates.signing import SigningKeyMissing

BUSY_RETRY_SECONDS = 30


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
    outcome = services.certificate_render_pdf(certificate_id=certificate_id)
    if outcome == "busy" and not self.request.is_eager:
        raise self.retry(countdown=BUSY_RETRY_SECONDS)
    return outcome


@shared_task(name="certificates.tasks.daily_scan", acks_late=True)
def daily_scan() -> dict:
    """Daily (beat): end suspensions whose planned end passed, hand over to renewals that took
    effect, expire certificates whose validity passed, send the expiry reminders due. All
    idempotent: running twice (or two at once) changes and sends nothing more."""
    return {
        "lifted": services.suspensions_lift_ended(),
        "handed_over": services.certificates_hand_over(),
        "expired": services.certificates_expire(),
        "reminders": len(reminders.send_due_reminders()),
    }


@shared_task(name="certificates.tasks.send_expiry_reminders", acks_late=True)
def send_expiry_reminders() -> int:
    """The reminder part of the daily scan on its own (for operators and tests)."""
    return len(reminders.send_due_reminders())


@shared_task(name="certificates.tasks.reconcile_certificates", acks_late=True)
def reconcile_certificates() -> list[int]:
    """Periodic (beat): enqueue the PDF render again for certificates that have none."""
    return services.certificates_reconcile()
