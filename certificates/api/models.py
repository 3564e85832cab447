"""Organization API tokens (the secret is shown once and only its SHA-256 is stored) and
webhooks (an organization's HTTPS endpoints, their deliveries and every attempt)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrasi.tokens import HashedToken


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class OwnedByOrganizationQuerySet(models.QuerySet):
    """An organization's owner sees the organization's rows; nobody else any."""

    organization_path = "organization_id"

    def visible_to(self, user):
        membership = user.membership if user.is_authenticated else None
        if membership is None or not membership.is_owner:
            return self.none()
        return self.filter(**{self.organization_path: membership.organization_id})


class ApiToken(HashedToken):
    """token_hash, created_at, expires_at and revoked_at come from HashedToken."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="api_tokens"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=8, choices=TokenScope.choices)
    # The public part of the token, shown in lists; the secret is only hashed.
    key_id = models.CharField(max_length=16, unique=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = OwnedByOrganizationQuerySet.as_manager()

    class Meta(HashedToken.Meta):
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.key_id})"

    @property
    def can_write(self):
        return self.scope == TokenScope.WRITE


class WebhookEvent(models.TextChoices):
    """What an endpoint can subscribe to (certificates.api.webhooks maps audit actions)."""

    APPLICATION_STATE = "application.state_changed", _("Application state changed")
    INVOICE_ISSUED = "invoice.issued", _("Invoice issued")
    INVOICE_PAID = "invoice.paid", _("Invoice paid")
    INSPECTION_SCHEDULED = "inspection.scheduled", _("Inspection scheduled or moved")
    INSPECTION_OUTCOME = "inspection.outcome", _("Inspection outcome")
    CERTIFICATE_ISSUED = "certificate.issued", _("Certificate issued")
    CERTIFICATE_SUSPENDED = "certificate.suspended", _("Certificate suspended")
    CERTIFICATE_REINSTATED = "certificate.reinstated", _("Certificate reinstated")
    CERTIFICATE_REVOKED = "certificate.revoked", _("Certificate revoked")
    CERTIFICATE_EXPIRING = "certificate.expiring", _("Certificate expiring (each reminder)")


class WebhookEndpoint(models.Model):
    """An organization's HTTPS address that receives signed POSTs about chosen events.

    The signing secret is shown to the owner once, at creation; it is kept (not hashed)
    because every delivery is signed with it. `failing_since` is the first failed attempt
    of the current run of failures; after WEBHOOK_DISABLE_AFTER_HOURS of them the endpoint is
    disabled (`disabled_at`) and its owners are emailed; the owner enables it again.
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)

    objects = OwnedByOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.url

    @property
    def is_enabled(self):
        return self.disabled_at is None

    def event_labels(self):
        labels = dict(WebhookEvent.choices)
        return [labels.get(name, name) for name in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class DeliveryQuerySet(OwnedByOrganizationQuerySet):
    organization_path = "endpoint__organization_id"


class WebhookDelivery(models.Model):
    """One event for one endpoint: its body is fixed when the event happens (written in the
    event's transaction), so every attempt and every "send again" sends the same bytes."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "audit.AuditEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    event_type = models.CharField(_("event"), max_length=64)
    payload = models.JSONField(_("body"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Pending and waiting for its next attempt at this time (None: queued or being sent).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # An attempt in progress owns the row until then (a crashed one lets go by itself).
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="api_delivery_once"),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, how long, the answer's status code or the error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField(_("time"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    manual = models.BooleanField(_("sent again by the owner"), default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.delivery_id} {self.started_at:%Y-%m-%d %H:%M:%S} {self.status_code}"
