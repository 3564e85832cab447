"""Webhook deliveries (certificates.api.webhooks): take ids, re-read, idempotent."""

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from certificates.api import webhooks
from certificates.api.models import WebhookEndpoint
from registrasi import notifications
from registrasi.accounts.constants import MembershipRole
from registrasi.accounts.models import User

OPTIONS = {
    "acks_late": True,
    "soft_time_limit": 60,
    "time_limit": 90,
}


@shared_task(name="certificates.api.tasks.deliver_webhook", **OPTIONS)
def deliver_webhook(delivery_id: int, manual: bool = False) -> bool:
    """One attempt of one delivery (a failure is logged and retried later by
    retry_webhooks, with backoff); True when it was delivered now."""
    attempt = webhooks.attempt(delivery_id, manual=manual)
    return bool(attempt and attempt.succeeded)


@shared_task(name="certificates.api.tasks.retry_webhooks", acks_late=True)
def retry_webhooks() -> int:
    """Periodic (beat, every minute): queue the deliveries whose next attempt is due."""
    return webhooks.retry_due()


@shared_task(name="certificates.api.tasks.tell_endpoint_disabled", **OPTIONS)
def tell_endpoint_disabled(endpoint_id: int) -> int:
    """Email the organization's owners that an endpoint was disabled; returns how many."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, disabled_at__isnull=False).first()
    if endpoint is None:
        return 0  # enabled again (or deleted) meanwhile
    # Once per disabling, even when the task runs twice (acks_late, the outbox relay).
    told = f"api:webhook-disabled-told:{endpoint.pk}:{endpoint.disabled_at.timestamp()}"
    if not cache.add(told, True, timeout=7 * 24 * 3600):
        return 0
    owners = User.objects.filter(
        is_active=True,
        membership_record__organization_id=endpoint.organization_id,
        membership_record__role=MembershipRole.OWNER,
    ).order_by("pk")
    url = f"{settings.SITE_URL}{reverse('api:webhook', args=[endpoint.pk])}"
    for owner in owners:
        with notifications.in_language_of(owner):
            subject, body = notifications.render_email(
                _("Webhook endpoint disabled"),
                "api/email/webhook_disabled.txt",
                {"recipient": owner, "endpoint": endpoint, "url": url},
            )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
    return len(owners)
