"""Reads the accounts pages share."""

from django.utils import timezone

from registrasi.accounts.backends import normalize_login
from registrasi.accounts.models import Invitation, Membership, User, hash_token


def members_of(organization):
    return Membership.objects.filter(organization=organization).select_related("user")


def memberships_visible_to(user):
    """Memberships of the user's own organization; nothing for anyone else (404 across tenants)."""
    if not user.is_authenticated or user.membership is None:
        return Membership.objects.none()
    return members_of(user.membership.organization_id)


def open_invitations_of(organization):
    """Invitations not yet accepted or revoked: pending ones and those that ran out."""
    return (
        Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def pending_invitation_exists(organization, email):
    return (
        open_invitations_of(organization)
        .filter(email__iexact=email, expires_at__gt=timezone.now())
        .exists()
    )


def invitation_for_token(token):
    """The invitation a link's token belongs to, or None. Only the hash is stored."""
    if not token:
        return None
    return (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def account_exists(email):
    return User.objects.filter(email__iexact=email).exists()


def invited_address_matches(invitation, user):
    """Only the account whose email the invitation was sent to may accept it."""
    return normalize_login(user.email) == normalize_login(invitation.email)
