"""Creating, revoking and checking organization API tokens.

A token reads `rgs_<key_id>_<secret>`. Only the SHA-256 of the whole token is stored
(registrasi.tokens.HashedToken); the
token itself is returned once, by `token_create`. A token acts as the owner who created it,
within that owner's organization only, and only while the owner is still a member of it.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.api.models import ApiToken, TokenScope
from registrasi.audit.services import audit_record
from registrasi.services import NotAllowed
from registrasi.tokens import hash_token, new_secret

PREFIX = "rgs"
# last_used_at is written at most this often per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)
MAX_DAYS = 366


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _refuse_unless_owner(actor, organization):
    membership = actor.membership if actor.is_authenticated else None
    if (
        membership is None
        or not membership.is_owner
        or membership.organization_id != organization.pk
    ):
        raise NotAllowed(_("Only an owner of the organization can manage API tokens."))


def token_create(*, organization, actor, name: str, scope: str, days: int) -> NewToken:
    _refuse_unless_owner(actor, organization)
    if scope not in TokenScope.values:
        raise NotAllowed(_("Choose a valid scope."))
    key_id = secrets.token_hex(6)
    secret = new_secret(prefix=f"{PREFIX}_{key_id}_")
    with transaction.atomic():
        token = ApiToken.objects.create(
            organization=organization,
            created_by=actor,
            name=name,
            scope=scope,
            key_id=key_id,
            token_hash=hash_token(secret),
            expires_at=timezone.now() + timedelta(days=min(max(days, 1), MAX_DAYS)),
        )
        audit_record(
            actor=actor,
            action="api_token_create",
            obj=organization,
            data={"token": key_id, "name": name, "scope": scope},
        )
    return NewToken(token=token, secret=secret)


def token_revoke(*, token, actor) -> ApiToken:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        _refuse_unless_owner(actor, locked.organization)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="api_token_revoke",
                obj=locked.organization,
                data={"token": locked.key_id, "name": locked.name},
            )
    return locked


def token_for(secret: str) -> ApiToken | None:
    """The usable token `secret` names, or None (unknown, wrong secret, revoked, expired, or
    its creator no longer a member of its organization)."""
    # The secret part may itself contain "_" (URL-safe base64).
    parts = (secret or "").split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1].isalnum():
        return None
    token = (
        ApiToken.objects.select_related("created_by", "organization")
        .filter(key_id=parts[1], token_hash=hash_token(secret))
        .first()
    )
    if token is None:
        return None
    if not token.is_usable or not token.created_by.is_active:
        return None
    membership = token.created_by.membership
    if membership is None or membership.organization_id != token.organization_id:
        return None
    _touch(token)
    return token


def _touch(token):
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
