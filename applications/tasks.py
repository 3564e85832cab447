from smtplib import SMTPException

from celery import shared_task

from applications.notifications import send_event_emails


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def send_application_event_email(event_id: int) -> int:
    """Email the organization's members about one audit event. Takes the event id, re-reads
    everything, and is idempotent (see applications.notifications)."""
    return send_event_emails(event_id)
