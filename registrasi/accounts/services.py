"""Every write to accounts: sign-up, invitations, memberships, profile and contact details.

Each service runs in one transaction with its audit event; emails leave after commit.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registrasi import outbox
from registrasi.accounts import selectors
from registrasi.accounts.constants import TASKS, MembershipRole
from registrasi.accounts.models import (
    Invitation,
    Membership,
    Organization,
    PrivacyAcceptance,
    SignupRequest,
    User,
    hash_token,
)
from registrasi.audit.services import audit_record
from registrasi.services import NotAllowed, ServiceError


class RegistrationConflict(ServiceError):
    """Someone registered the same email or NIB between the form check and the insert."""

    def __init__(self, message, field):
        super().__init__(message)
        self.field = field


class InvitationUnusable(ServiceError):
    """The link was used, revoked, has expired or was never issued."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


def _forget_membership(user):
    user.__dict__.pop("_cached_membership", None)


def _require_owner(actor, organization):
    membership = actor.membership if actor.is_authenticated else None
    if (
        membership is None
        or membership.organization_id != organization.pk
        or not (membership.is_owner)
    ):
        raise NotAllowed(_("Only an owner of the organization can do this."))


# --- sign-up ---------------------------------------------------------------------------------


def organization_register(
    *,
    email: str,
    full_name: str,
    password: str,
    language: str,
    legal_name: str,
    legal_form: str,
    nib: str,
    address: str,
    province: str,
    foreign_owned: bool,
    contact_email: str,
    contact_phone: str,
) -> User:
    """Create the operator's account, their organization and their owner membership."""
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, full_name=full_name, language=language
            )
            organization = Organization.objects.create(
                legal_name=legal_name,
                legal_form=legal_form,
                nib=nib,
                address=address,
                province=province,
                foreign_owned=foreign_owned,
                contact_email=contact_email,
                contact_phone=contact_phone,
            )
            Membership.objects.create(
                user=user, organization=organization, role=MembershipRole.OWNER
            )
            audit_record(
                actor=user,
                action="organization_registered",
                obj=organization,
                data={"nib": nib, "owner": user.email},
            )
    except IntegrityError as exc:
        # The form checked both; a concurrent sign-up won the race. Say which one.
        if User.objects.filter(email__iexact=email).exists():
            raise RegistrationConflict(
                _("An account with this email address already exists."), field="email"
            ) from exc
        if Organization.objects.filter(nib=nib).exists():
            raise RegistrationConflict(
                _("An organization with this NIB is already registered."), field="nib"
            ) from exc
        raise
    return user


# --- verified sign-up ------------------------------------------------------------------------


class SignupLinkInvalid(ServiceError):
    """The confirmation link was used, has expired or was never issued."""


def signup_request(*, email: str, password: str, **details) -> None:
    """Start a sign-up. Nothing is created and no NIB is claimed until the address is
    confirmed through the emailed link (signup_confirm).

    The answer is the same whether or not the address has an account: an existing account
    holder is told by email instead, so the form reveals nothing about who is registered.
    """
    from django.contrib.auth.hashers import make_password

    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        outbox.enqueue(TASKS + "send_signup_existing_account", email, details["language"])
        return
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        pending = SignupRequest.objects.create(
            email=email,
            password_hash=make_password(password),
            token_hash=hash_token(token),
            expires_at=timezone.now() + timedelta(hours=settings.SIGNUP_CONFIRM_HOURS),
            **details,
        )
        outbox.enqueue(TASKS + "send_signup_confirmation", pending.pk, token)


def signup_pending(token: str) -> SignupRequest:
    """The usable sign-up request a link names, or SignupLinkInvalid."""
    pending = SignupRequest.objects.filter(token_hash=hash_token(token or "")).first()
    if pending is None or not pending.is_usable:
        raise SignupLinkInvalid(
            _("This confirmation link has expired or was already used. Sign up again.")
        )
    return pending


def signup_confirm(*, token: str) -> User:
    """Confirm the address: the account, the organization (its NIB claim) and the owner
    membership are created now, audited in the same transaction."""
    with transaction.atomic():
        pending = signup_pending(token)
        pending = SignupRequest.objects.select_for_update().get(pk=pending.pk)
        if not pending.is_usable:
            raise SignupLinkInvalid(_("This confirmation link was already used."))
        fields = [f.name for f in SignupRequest._meta.fields]
        skipped = {
            "id",
            "password_hash",
            "token_hash",
            "created_at",
            "expires_at",
            "confirmed_at",
            "privacy_version",
        }
        data = {name: getattr(pending, name) for name in fields if name not in skipped}
        user = organization_register(password=None, **data)
        user.password = pending.password_hash
        user.save(update_fields=["password"])
        if pending.privacy_version:
            PrivacyAcceptance.objects.create(user=user, version=pending.privacy_version)
        pending.confirmed_at = timezone.now()
        pending.save(update_fields=["confirmed_at"])
        audit_record(actor=user, action="email_confirmed", obj=user, data={"email": user.email})
    return user


def signup_requests_expire(*, now=None) -> int:
    """Delete unconfirmed sign-ups past their expiry (the daily scan); returns how many."""
    now = now or timezone.now()
    expired = SignupRequest.objects.filter(confirmed_at__isnull=True, expires_at__lte=now)
    return expired.delete()[0]


# --- invitations -----------------------------------------------------------------------------


def invitation_create(*, actor: User, organization: Organization, email: str, role: str):
    """Invite `email` to `organization`; returns (invitation, token). Only owners invite.

    The token travels only in the email; the database keeps its SHA-256.
    """
    _require_owner(actor, organization)
    return _issue_invitation(actor=actor, organization=organization, email=email, role=role)


def owner_invitation_from_office(*, actor: User, organization: Organization, email: str):
    """A ministry officer who registered a walk-in company invites its contact to become the
    organization's owner; returns (invitation, token), or None when the organization already
    has an owner or a pending invitation for that address (nothing to send)."""
    if not (actor.is_authenticated and actor.is_ministry_staff):
        raise NotAllowed(_("You are not allowed to do this."))
    email = email.strip().lower()
    if organization.memberships.filter(role=MembershipRole.OWNER).exists():
        return None
    if selectors.pending_invitation_exists(organization, email):
        return None
    return _issue_invitation(
        actor=actor, organization=organization, email=email, role=MembershipRole.OWNER
    )


def _issue_invitation(*, actor, organization, email, role):
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organization=organization,
            email=email.strip().lower(),
            role=role,
            token_hash=hash_token(token),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        audit_record(
            actor=actor,
            action="invitation_created",
            obj=invitation,
            data={"email": invitation.email, "role": role, "organization": organization.pk},
        )
        outbox.enqueue(TASKS + "send_invitation_email", invitation.pk, token)
    return invitation, token


def _locked_usable_invitation(token):
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organization")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if invitation is None:
        raise InvitationUnusable(_("This invitation link is not valid."), reason="unknown")
    if invitation.accepted_at is not None:
        raise InvitationUnusable(_("This invitation has already been used."), reason="used")
    if invitation.revoked_at is not None:
        raise InvitationUnusable(_("This invitation was withdrawn."), reason="revoked")
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable(_("This invitation has expired."), reason="expired")
    return invitation


def _join(invitation, user):
    membership = Membership.objects.create(
        user=user, organization=invitation.organization, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(
        actor=user,
        action="invitation_accepted",
        obj=invitation,
        data={
            "organization": invitation.organization_id,
            "membership": membership.pk,
            "role": invitation.role,
            "email": user.email,
        },
    )
    _forget_membership(user)
    return membership


def invitation_accept_as_new_user(
    *, token: str, full_name: str, password: str, language: str, privacy_version: str
):
    """A person without an account joins: the account takes the invitation's email address
    and records the version of the privacy notice they accepted."""
    try:
        with transaction.atomic():
            invitation = _locked_usable_invitation(token)
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise NotAllowed(
                    _("An account with this email address already exists. Log in to accept.")
                )
            user = User.objects.create_user(
                email=invitation.email, password=password, full_name=full_name, language=language
            )
            PrivacyAcceptance.objects.create(user=user, version=privacy_version)
            _join(invitation, user)
    except IntegrityError as exc:
        raise NotAllowed(
            _("An account with this email address already exists. Log in to accept.")
        ) from exc
    return user


def invitation_accept_as_user(
    *, token: str, actor: User, privacy_version: str | None = None
) -> Membership:
    """A logged-in person without an organization joins; `privacy_version`: the privacy
    notice they accepted on the way, when they had not accepted it before."""
    with transaction.atomic():
        invitation = _locked_usable_invitation(token)
        # Lock the person's row so two tabs accepting two invitations cannot both pass.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        if not selectors.invited_address_matches(invitation, actor):
            raise NotAllowed(_("This invitation was sent to another email address."))
        if Membership.objects.filter(user=actor).exists():
            raise NotAllowed(
                _("You already belong to an organization, so you cannot join another one.")
            )
        if actor.is_ministry_staff or actor.is_inspector:
            raise NotAllowed(_("Ministry accounts cannot join a company."))
        if privacy_version:
            PrivacyAcceptance.objects.create(user=actor, version=privacy_version)
        try:
            with transaction.atomic():
                return _join(invitation, actor)
        except IntegrityError as exc:
            raise NotAllowed(
                _("You already belong to an organization, so you cannot join another one.")
            ) from exc


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    _require_owner(actor, invitation.organization)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise NotAllowed(_("This invitation has already been accepted."))
        if locked.revoked_at is not None:
            raise NotAllowed(_("This invitation was already revoked."))
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="invitation_revoked", obj=locked, data={"email": locked.email}
        )
    return locked


# --- memberships -----------------------------------------------------------------------------


def membership_remove(*, membership: Membership, actor: User) -> None:
    """An owner removes someone else from the organization; the last owner always stays."""
    organization = membership.organization
    _require_owner(actor, organization)
    if membership.user_id == actor.pk:
        raise NotAllowed(_("You cannot remove yourself."))
    with transaction.atomic():
        # Lock every membership of the organization so two owners removing each other
        # cannot leave it without one.
        rows = list(
            Membership.objects.select_for_update()
            .filter(organization=organization)
            .select_related("user")
        )
        locked = next((m for m in rows if m.pk == membership.pk), None)
        if locked is None:
            raise NotAllowed(_("This person is no longer a member."))
        owners = [m for m in rows if m.is_owner]
        if locked.is_owner and len(owners) <= 1:
            raise NotAllowed(_("The last owner of an organization cannot be removed."))
        audit_record(
            actor=actor,
            action="membership_removed",
            obj=organization,
            data={"user": locked.user_id, "email": locked.user.email, "role": locked.role},
        )
        locked.delete()
    _forget_membership(membership.user)


# --- profile and organization ----------------------------------------------------------------


def user_update_profile(*, actor: User, full_name: str, language: str) -> User:
    new = {"full_name": full_name, "language": language}
    with transaction.atomic():
        # Compare with the stored row: a bound ModelForm has already changed `actor` in memory.
        stored = User.objects.select_for_update().get(pk=actor.pk)
        changed = {f: [getattr(stored, f), v] for f, v in new.items() if getattr(stored, f) != v}
        for field, value in new.items():
            setattr(actor, field, value)
        actor.save(update_fields=list(new))
        if changed:
            audit_record(actor=actor, action="profile_updated", obj=actor, data=changed)
    return actor


CONTACT_FIELDS = ("contact_email", "contact_phone", "address")


def organization_update_contact(
    *, organization: Organization, actor: User, contact_email: str, contact_phone: str, address: str
) -> Organization:
    """Owners keep the contact details current; registered details go through a change report."""
    _require_owner(actor, organization)
    new = {"contact_email": contact_email, "contact_phone": contact_phone, "address": address}
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        changed = {f: [getattr(locked, f), v] for f, v in new.items() if getattr(locked, f) != v}
        for field, value in new.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(CONTACT_FIELDS))
        if changed:
            audit_record(
                actor=actor, action="organization_contact_updated", obj=locked, data=changed
            )
    return locked
