from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "registrasi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from registrasi.accounts import signals  # noqa: F401  (audit of logins, session clock)
        from registrasi.accounts.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
