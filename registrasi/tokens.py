"""Secret tokens handed to a person or a system once and kept only as their SHA-256.

An owner's invitation (registrasi.accounts.models.Invitation) and an organization's API token
(certificates.api.models.ApiToken) are the same thing underneath: a secret shown once, its
hash stored, an expiry and a revocation. `HashedToken` holds those columns once; each model
adds who made it and what it is for.
"""

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret(prefix: str = "") -> str:
    """A fresh random secret (URL-safe), `prefix` in front when given."""
    secret = secrets.token_urlsafe(32)
    return f"{prefix}{secret}"


class HashedToken(models.Model):
    """A secret stored as its hash only, usable until it expires or is revoked."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired
