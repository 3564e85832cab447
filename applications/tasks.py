"""The application emails are sent by the one email task for audit events
(registrasi.services.notify enqueues it); the old name stays as an alias of that task."""

from registrasi.audit.tasks import send_event_emails as send_application_event_email

__all__ = ["send_application_event_email"]

# Billing tasks live in applications.billing.tasks; importing them here registers them
# with Celery (autodiscovery reads <app>.tasks only).
from applications.billing import tasks as billing_tasks  # noqa: E402,F401
