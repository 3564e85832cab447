"""Background work for billing: asking the billing system for a code (retried with backoff
while the gateway is down or slow), the billing slip and receipt PDFs, the daily scan."""

from celery import shared_task

from applications.billing.adapters import BillingUnavailable


@shared_task(
    name="applications.billing.tasks.issue_billing_code",
    acks_late=True,
    autoretry_for=(BillingUnavailable,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def issue_billing_code(code_id: int) -> str:
    """Ask the billing system for the code of a pending row; idempotent (a second run finds
    the code there). Until it arrives the invoice shows "code pending"."""
    from applications.billing.services import billing_code_fetch

    return billing_code_fetch(code_id=code_id)


@shared_task(name="applications.billing.tasks.retry_pending_codes", acks_late=True)
def retry_pending_codes() -> int:
    """Periodic: codes still pending after their task gave up are asked for again."""
    import datetime

    from django.utils import timezone

    from applications.billing.models import BillingCode, CodeStatus

    before = timezone.now() - datetime.timedelta(minutes=10)
    ids = list(
        BillingCode.objects.filter(status=CodeStatus.PENDING, created_at__lte=before).values_list(
            "pk", flat=True
        )[:200]
    )
    for pk in ids:
        issue_billing_code.delay(pk)
    return len(ids)


@shared_task(name="applications.billing.tasks.void_expired_codes", acks_late=True)
def void_expired_codes() -> int:
    """Daily: void the codes whose expiry passed (the applicant asks for a new one)."""
    from applications.billing.services import void_expired_codes as scan

    return scan()


PDF_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(name="applications.billing.tasks.render_billing_slip", **PDF_OPTIONS)
def render_billing_slip(code_id: int) -> str:
    from applications.billing.documents import billing_slip_render

    return billing_slip_render(code_id=code_id)


@shared_task(name="applications.billing.tasks.render_payment_receipt", **PDF_OPTIONS)
def render_payment_receipt(payment_id: int) -> str:
    from applications.billing.documents import payment_receipt_render

    return payment_receipt_render(payment_id=payment_id)
