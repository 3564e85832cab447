from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "registrasi.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        # Each app's `notes` module registers how its audit events are told (audit.notes).
        autodiscover_modules("notes")
