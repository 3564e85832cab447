"""Emails about audit events: one email per recipient, in the recipient's own language,
delivered or visibly failed.

An app that emails about events on its objects has a `<app_label>.notifications` module
with `email_plan(event)`: it returns None when the event is not emailed, or an EmailPlan
(the recipients and a function rendering one recipient's (subject, body)). The single task
`registrasi.audit.tasks.send_event_emails(event_id)` re-reads the event, asks the plan of the
app owning the event's object, and sends.

Each (event, recipient) has a receipt row (registrasi.audit.models.EmailReceipt) that goes
pending -> sent, or pending -> failed after settings.EMAIL_RETRY_HOURS of failed attempts.
No database transaction is open while the mail server is talked to: the receipt is claimed
(a short UPDATE, committed), the email sent, then the receipt marked sent. A duplicated task
finds the receipt claimed or sent and sends nothing; a worker that dies mid-send lets its
claim lapse and the redelivered task sends again (the one window where an email can go out
twice: the mail server accepted it and the process died before the receipt was marked).
Staff see the failed ones (registrasi.audit.views) and can send them again.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from importlib import import_module
from smtplib import SMTPException

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

Render = Callable[[object], tuple[str, str]]

logger = logging.getLogger(__name__)

# A send that fails with one of these is retried (the mail server is down, slow or hung up).
RETRYABLE = (SMTPException, OSError, SoftTimeLimitExceeded)

# The options of every email task: run again if the worker dies mid-send (acks_late); retry,
# backing off exponentially up to EMAIL_RETRY_BACKOFF_MAX seconds between attempts, for as
# long as EMAIL_RETRY_HOURS (the receipts then turn "failed" and the task stops); a hung
# server is cut off by EMAIL_TIMEOUT, and the soft time limit is retried too.
EMAIL_TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": RETRYABLE,
    "retry_backoff": True,
    "retry_backoff_max": settings.EMAIL_RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": None,
    "soft_time_limit": settings.EMAIL_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.EMAIL_TASK_SOFT_TIME_LIMIT + 30,
}


@dataclass(frozen=True)
class EmailPlan:
    recipients: Iterable
    render: Render  # recipient -> (subject, body)


def in_language_of(recipient) -> AbstractContextManager:
    """Translations, dates and numbers in the recipient's language."""
    return translation.override(getattr(recipient, "language", "") or settings.LANGUAGE_CODE)


def render_email(subject, template: str, context: dict) -> tuple[str, str]:
    """(subject, body); call inside in_language_of(recipient) so both are in its language."""
    return str(subject), render_to_string(template, context)


def deliver(*, recipients: Iterable, render: Render, receipt_for: Callable) -> int:
    """Send one email per recipient whose receipt (`receipt_for(recipient)`, get-or-create)
    this run claims; returns how many were sent. A retryable failure releases the receipt
    (or marks it failed once EMAIL_RETRY_HOURS passed) and is raised for the task's retry."""
    sent = 0
    for recipient in recipients:
        receipt = receipt_for(recipient)
        if not claim(receipt):
            continue
        try:
            subject, body = render(recipient)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
        except RETRYABLE as exc:
            release(receipt, exc)
            raise
        mark_sent(receipt)
        sent += 1
    return sent


def _receipts(receipt):
    return type(receipt)._default_manager.filter(pk=receipt.pk)


def claim(receipt) -> bool:
    """Take a pending receipt for one send (True), unless another run holds or sent it."""
    from registrasi.audit.models import EmailStatus

    now = timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    lease = datetime.timedelta(seconds=settings.EMAIL_TASK_SOFT_TIME_LIMIT + 60)
    taken = _receipts(receipt).filter(free, status=EmailStatus.PENDING)
    return taken.update(claimed_until=now + lease) == 1


def mark_sent(receipt) -> None:
    from registrasi.audit.models import EmailStatus

    now = timezone.now()
    _receipts(receipt).update(status=EmailStatus.SENT, sent_at=now, claimed_until=None)


def release(receipt, error) -> None:
    """After a failed send: pending again for the retry, or failed for good when the first
    attempt lies more than EMAIL_RETRY_HOURS back."""
    from registrasi.audit.models import EmailStatus

    given_up = timezone.now() - receipt.created_at > datetime.timedelta(
        hours=settings.EMAIL_RETRY_HOURS
    )
    status = EmailStatus.FAILED if given_up else EmailStatus.PENDING
    _receipts(receipt).update(
        status=status,
        claimed_until=None,
        attempts=receipt.attempts + 1,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    log = logger.error if given_up else logger.warning
    log("email %s to %s not sent (%s): %s", receipt, receipt.recipient_id, status, error)


# The one task that sends the emails of an audit event (registrasi.audit.tasks).
SEND_TASK = "registrasi.audit.tasks.send_event_emails"


def _module_for(event):
    """The notifications module of the app owning the event's object, or None."""
    if event.content_type_id is None:
        return None
    try:
        return import_module(f"{event.content_type.app_label}.notifications")
    except ModuleNotFoundError:
        return None


def is_emailed(event) -> bool:
    """Whether the owning app declares an email for this action: its SUBJECTS (action ->
    subject) is the one list, so an email declared there is never forgotten elsewhere."""
    module = _module_for(event)
    return event.action in getattr(module, "SUBJECTS", {})


def plan_for(event) -> EmailPlan | None:
    """The plan of the app that owns the event's object (None: nobody is emailed)."""
    module = _module_for(event)
    email_plan = getattr(module, "email_plan", None)
    return email_plan(event) if email_plan else None


def send_event_emails(event_id: int, email_plan: Callable | None = None) -> int:
    """Send the emails for one audit event; returns how many were sent now. `email_plan`
    (event -> EmailPlan | None) replaces the owning app's plan when given."""
    from registrasi.audit.models import AuditEvent, EmailDelivery

    event = AuditEvent.objects.select_related("content_type").filter(pk=event_id).first()
    if event is None:
        return 0
    plan = email_plan(event) if email_plan else plan_for(event)
    if plan is None:
        return 0

    def receipt_for(recipient):
        return EmailDelivery.objects.get_or_create(event=event, recipient=recipient)[0]

    return deliver(recipients=plan.recipients, render=plan.render, receipt_for=receipt_for)
