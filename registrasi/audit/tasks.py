"""The one email task for audit events (see registrasi.notifications)."""

from celery import shared_task

from registrasi import notifications


@shared_task(name="registrasi.audit.tasks.send_event_emails", **notifications.EMAIL_TASK_OPTIONS)
def send_event_emails(event_id: int) -> int:
    """Email the people concerned by one audit event. Takes the event id, re-reads
    everything, and is idempotent."""
    return notifications.send_event_emails(event_id)
