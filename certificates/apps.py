from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        # The system check that the signing certificate names the printed signatory; the
        # public pages' version bumped by every saved or deleted certificate (signals); the
        # staff search's accent folding on SQLite (certificates.search).
        from certificates import checks, signals  # noqa: F401
        from registrasi import search_functions  # noqa: F401
