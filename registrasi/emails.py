"""Emails that failed for good: what staff see, and "send again".

Every email the portal sends has a receipt (a concrete subclass of
registrasi.audit.models.EmailReceipt: audit.EmailDelivery).
A receipt turns "failed" after settings.EMAIL_RETRY_HOURS of failed attempts
(registrasi.notifications). Staff list them here and send one again: the receipt is pending
again with a fresh retry window, the task goes through the outbox, and the audit log says who.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from registrasi import outbox
from registrasi.audit.models import EmailReceipt, EmailStatus
from registrasi.audit.services import audit_record
from registrasi.services import NotAllowed


@dataclass(frozen=True)
class FailedEmail:
    kind: str  # "<app_label>.<model_name>"
    receipt: EmailReceipt


def receipt_models() -> list:
    return [m for m in apps.get_models() if issubclass(m, EmailReceipt)]


def failed_emails(user, limit: int = 200) -> list[FailedEmail]:
    """The emails that failed for good, newest first (staff only)."""
    _refuse_unless_staff(user)
    found = []
    for model in receipt_models():
        rows = model.objects.filter(status=EmailStatus.FAILED).select_related("recipient")
        found += [FailedEmail(model._meta.label_lower, row) for row in rows[:limit]]
    found.sort(key=lambda item: item.receipt.created_at, reverse=True)
    return found[:limit]


def failed_receipt(user, kind: str, pk: int) -> EmailReceipt:
    """One failed receipt by its kind and id; 404 for anything else (staff only)."""
    _refuse_unless_staff(user)
    model = {m._meta.label_lower: m for m in receipt_models()}.get(kind)
    receipt = model.objects.filter(pk=pk).first() if model else None
    if receipt is None:
        raise Http404
    return receipt


def email_send_again(*, receipt: EmailReceipt, actor) -> EmailReceipt:
    """Staff: try a failed email again (a new retry window), audited."""
    _refuse_unless_staff(actor)
    with transaction.atomic():
        receipt = type(receipt).objects.select_for_update().get(pk=receipt.pk)
        if receipt.status != EmailStatus.FAILED:
            raise NotAllowed(_("This email is not failed (any more): nothing to send again."))
        previous = {"attempts": receipt.attempts, "error": receipt.last_error}
        receipt.status = EmailStatus.PENDING
        receipt.created_at = timezone.now()
        receipt.attempts = 0
        receipt.last_error = ""
        receipt.claimed_until = None
        receipt.save(
            update_fields=["status", "created_at", "attempts", "last_error", "claimed_until"]
        )
        audit_record(actor=actor, action="email_send_again", obj=receipt, data=previous)
        task_name, args = receipt.resend_task()
        outbox.enqueue(task_name, *args)
    return receipt


def _refuse_unless_staff(user):
    if not (user is not None and user.is_authenticated and user.is_ministry_staff):
        raise NotAllowed(_("You are not allowed to do this."))
