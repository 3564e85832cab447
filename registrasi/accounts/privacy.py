"""Personal data under Indonesia's Personal Data Protection Law (UU No. 27 Tahun 2022).

- The privacy notice has a version; sign-up records which version a person accepted.
- `personal_data(user)` gathers everything the portal holds about a person: the account, and
  every row of every model that points at the account (found through the models' foreign
  keys, so a new app's records are included without being listed here), plus the audit
  events the person caused. Secrets (password and token hashes) are left out.
- `account_erase` removes or anonymises what the ministry is not required to keep.
- retention_rules() (registrasi.accounts.retention) lists how long each kind of record is
  kept; one page shows them and the daily retention scan applies them.
"""

from django.apps import apps
from django.db import models, transaction
from django.utils.translation import gettext as _

from registrasi.accounts.models import Membership, PrivacyAcceptance, User
from registrasi.accounts.retention import RetentionRule, retention_rules  # noqa: F401
from registrasi.audit.services import audit_record
from registrasi.services import NotAllowed

PRIVACY_NOTICE_VERSION = "2026-11-30"
SECRET_FIELDS = ("password", "token", "secret", "key")


# --- export ----------------------------------------------------------------------------------


def _is_secret(field_name: str) -> bool:
    return any(word in field_name for word in SECRET_FIELDS)


def _value(row, field):
    value = getattr(row, field.attname)
    if isinstance(field, models.FileField):
        return value.name if value else ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row(row) -> dict:
    return {
        field.name: _value(row, field)
        for field in row._meta.concrete_fields
        if not _is_secret(field.name)
    }


def _pointing_at_users():
    """(model, field) for every foreign key or one-to-one field that points at User."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User and model is not User:
                yield model, field


def personal_data(user) -> dict:
    """Everything the portal holds about `user`, grouped by kind of record, as JSON-ready
    dicts. Each group: {"label": ..., "rows": [...]}; rows name the field that points at
    the person (for example "uploaded_by")."""
    data = {"account": {"label": str(User._meta.verbose_name), "rows": [_row(user)]}}
    for model, field in _pointing_at_users():
        rows = model._default_manager.filter(**{field.name: user}).order_by("pk")
        if not rows.exists():
            continue
        key = f"{model._meta.label_lower}.{field.name}"
        data[key] = {
            "label": f"{model._meta.verbose_name_plural} ({field.verbose_name})",
            "rows": [_row(row) for row in rows[:10000]],
        }
    return data


# --- deletion --------------------------------------------------------------------------------


def account_erase(*, actor) -> None:
    """Erase a person's own account: what identifies them goes, what the ministry must keep
    stays (see retention_rules). Ministry accounts are closed by an administrator instead,
    and the last owner of an organization with other members hands it over first."""
    if actor.is_ministry_staff or actor.is_inspector or actor.is_staff:
        raise NotAllowed(
            _("Ministry accounts are closed by an administrator, not deleted by their holder.")
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        membership = Membership.objects.filter(user=user).select_related("organization").first()
        if membership and membership.is_owner and _other_members_without_owner(membership):
            raise NotAllowed(
                _("Make another member an owner first: the organization needs an owner.")
            )
        audit_record(actor=user, action="account_erased", obj=user, data={"user": user.pk})
        Membership.objects.filter(user=user).delete()
        PrivacyAcceptance.objects.filter(user=user).delete()
        user.email = f"deleted-{user.pk}@deleted.invalid"
        user.full_name = _("Deleted account")
        user.is_active = False
        user.last_login = None
        user.set_unusable_password()
        user.save()


def _other_members_without_owner(membership) -> bool:
    others = Membership.objects.filter(organization=membership.organization).exclude(
        user=membership.user
    )
    return others.exists() and not others.filter(role=membership.role).exists()


def has_accepted_notice(user, version=PRIVACY_NOTICE_VERSION) -> bool:
    """Whether `user` accepted this version of the privacy notice."""
    return PrivacyAcceptance.objects.filter(user=user, version=version).exists()


def record_acceptance(*, user, version=PRIVACY_NOTICE_VERSION) -> PrivacyAcceptance:
    return PrivacyAcceptance.objects.create(user=user, version=version)
