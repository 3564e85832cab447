from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from registrasi.audit.signals import events_recorded


def _audit_event_saved(sender, instance, created, raw=False, **kwargs):
    """Every new audit event may be a webhook event (certificates.api.webhooks)."""
    if created and not raw:
        from certificates.api import webhooks

        webhooks.on_audit_event(instance)


def _audit_events_recorded(sender, events, **kwargs):
    """Events written in one INSERT (a daily scan's batch) may be webhook events too."""
    from certificates.api import webhooks

    webhooks.on_audit_events(events)


class ApiConfig(AppConfig):
    name = "certificates.api"
    label = "api"
    verbose_name = _("API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # registrasi imports no app: the audit log does not know about webhooks, so the
        # API listens to it here.
        post_save.connect(
            _audit_event_saved, sender="audit.AuditEvent", dispatch_uid="api_webhooks"
        )
        events_recorded.connect(_audit_events_recorded, dispatch_uid="api_webhooks_many")
