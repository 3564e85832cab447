"""Emails about audit events: one email per recipient, in the recipient's own language,
sent exactly once.

An app that emails about events on its objects has a `<app_label>.notifications` module
with `email_plan(event)`: it returns None when the event is not emailed, or an EmailPlan
(the recipients and a function rendering one recipient's (subject, body)). The single task
`registrasi.audit.tasks.send_event_emails(event_id)` re-reads the event, asks the plan of the
app owning the event's object, and sends.

Exactly once: an EmailDelivery row per (event, recipient) is inserted in the same transaction
as the email is sent. If sending fails the row is rolled back and the retry sends again; a
duplicated or retried task finds the row and sends nothing; a concurrent duplicate waits on
the unique row.
"""

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from importlib import import_module
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

Render = Callable[[object], tuple[str, str]]

# The options of every email task: run again if the worker dies mid-send (acks_late) and
# retry, backing off, while the mail server is unreachable.
EMAIL_TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
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


def deliver(*, recipients: Iterable, render: Render, claim: Callable[[object], bool]) -> int:
    """Send one email per recipient for which `claim(recipient)` inserts its receipt row
    (True) and returns how many were sent. The claim and the send share one transaction."""
    sent = 0
    for recipient in recipients:
        with transaction.atomic():
            if not claim(recipient):
                continue
            subject, body = render(recipient)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
            sent += 1
    return sent


def plan_for(event) -> EmailPlan | None:
    """The plan of the app that owns the event's object (None: nobody is emailed)."""
    if event.content_type_id is None:
        return None
    app_label = event.content_type.app_label
    try:
        module = import_module(f"{app_label}.notifications")
    except ModuleNotFoundError:
        return None
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

    def claim(recipient) -> bool:
        _row, created = EmailDelivery.objects.get_or_create(event=event, recipient=recipient)
        return created

    return deliver(recipients=plan.recipients, render=plan.render, claim=claim)
