"""The second factor: TOTP (django-otp) with single-use backup codes.

Ministry accounts (staff, inspectors, the admin site's users) must use it; an applicant may,
and an organization's owner can require it of every member. Wrong codes count as login
failures in django-axes, so the sixth wrong code in a row locks the account.
"""

import base64

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from registrasi.accounts.services import _require_owner
from registrasi.audit.services import audit_record
from registrasi.services import NotAllowed

# Session key: this login still owes a code (the person has a second factor set up).
PENDING_SESSION_KEY = "second_factor_pending"
AUTHENTICATOR_NAME = "authenticator"
BACKUP_NAME = "backup"


def is_ministry_account(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_staff or user.is_superuser or user.is_ministry_staff or user.is_inspector)
    )


def required_for(user) -> bool:
    """Whether this person may not use the portal without a second factor."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    # Ministry accounts cannot join a company, so a member is decided by their organization
    # (the membership is loaded once per request and most applicant pages need it anyway).
    membership = user.membership
    if membership is not None:
        return membership.organization.require_second_factor
    return user.is_ministry_staff or user.is_inspector


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def normalize_code(code) -> str:
    return "".join(str(code or "").split()).lower()


def pending_authenticator(user) -> TOTPDevice:
    """The not yet confirmed authenticator being set up (made on first use)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR_NAME).first()
    return device or TOTPDevice.objects.create(user=user, confirmed=False, name=AUTHENTICATOR_NAME)


def secret_of(device: TOTPDevice) -> str:
    """The key as authenticator apps expect it typed in (base32, groups of four)."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _new_backup_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.SECOND_FACTOR_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def authenticator_confirm(*, actor, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with a first code; returns fresh backup codes, or None when
    the code is wrong (nothing changes then)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor)
        if device.confirmed or not device.verify_token(normalize_code(code)):
            return None
        TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(actor)
        audit_record(actor=actor, action="second_factor_enabled", obj=actor)
    return codes


def backup_codes_renew(*, actor) -> list[str]:
    if not has_second_factor(actor):
        raise NotAllowed(_("Set up an authenticator app first."))
    with transaction.atomic():
        codes = _new_backup_codes(actor)
        audit_record(actor=actor, action="second_factor_backup_codes_renewed", obj=actor)
    return codes


def second_factor_remove(*, actor) -> None:
    """An applicant turns the second factor off; ministry accounts and members of an
    organization that requires it cannot."""
    if required_for(actor):
        raise NotAllowed(_("Your account must keep its second factor."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        StaticDevice.objects.filter(user=actor).delete()
        audit_record(actor=actor, action="second_factor_removed", obj=actor)


def code_matches(user, code):
    """The device (authenticator or an unused backup code) that accepts `code`, or None."""
    code = normalize_code(code)
    if not code or len(code) > 16:
        return None
    return match_token(user, code)


def organization_require_second_factor(*, actor, organization, required: bool) -> None:
    _require_owner(actor, organization)
    with transaction.atomic():
        organization.require_second_factor = required
        organization.save(update_fields=["require_second_factor"])
        audit_record(
            actor=actor,
            action="organization_second_factor_required"
            if required
            else "organization_second_factor_optional",
            obj=organization,
        )
