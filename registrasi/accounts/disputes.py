"""NIB disputes: a company finds its NIB already claimed by an organization in the portal.

It files a dispute without an account (the deed and the NIB document attached), confirms its
email address through a link, staff read the documents and decide. Upheld, the organization
moves to the claimant: every membership and pending invitation ends, the old members are told
by email, and the claimant is invited as its owner (an invitation bound to the claimant's
address). Every step is audited in its transaction; emails leave through the outbox.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registrasi import outbox
from registrasi.accounts.constants import (
    TASKS,
    DisputeDocumentKind,
    DisputeState,
    MembershipRole,
)
from registrasi.accounts.models import (
    DisputeDocument,
    Invitation,
    Membership,
    NibDispute,
    Organization,
    hash_token,
)
from registrasi.audit.services import audit_record
from registrasi.services import NotAllowed, ServiceError
from registrasi.uploads import validate_upload


class DisputeLinkInvalid(ServiceError):
    """The confirmation link was used, has expired or was never issued."""


def dispute_file(
    *, nib: str, email: str, full_name: str, language: str, statement: str, deed, nib_document
) -> NibDispute:
    """File a dispute of the organization registered under `nib`. Both files are checked
    before anything is stored; the dispute waits for its email address to be confirmed."""
    organization = Organization.objects.filter(nib=nib).first()
    if organization is None:
        raise ValidationError(
            {"nib": _("No organization is registered with this NIB: sign up instead.")}
        )
    checked = {
        DisputeDocumentKind.DEED: validate_upload(deed),
        DisputeDocumentKind.NIB: validate_upload(nib_document),
    }
    token = secrets.token_urlsafe(32)
    stored = []
    try:
        with transaction.atomic():
            dispute = NibDispute.objects.create(
                organization=organization,
                email=email.strip().lower(),
                full_name=full_name,
                language=language,
                statement=statement,
                token_hash=hash_token(token),
                expires_at=timezone.now() + timedelta(hours=settings.SIGNUP_CONFIRM_HOURS),
            )
            for kind, upload in checked.items():
                document = DisputeDocument(
                    dispute=dispute,
                    kind=kind,
                    original_name=upload.safe_name,
                    size=upload.size,
                    sha256=upload.sha256,
                    content_type=upload.content_type,
                )
                document.file.save(f"upload.{upload.ext}", upload.content, save=False)
                stored.append(document.file)
                document.save()
            outbox.enqueue(TASKS + "send_dispute_confirmation", dispute.pk, token)
    except Exception:
        for field_file in stored:  # the rows did not make it: no orphan files either
            field_file.storage.delete(field_file.name)
        raise
    return dispute


def dispute_for_link(token: str) -> NibDispute:
    dispute = (
        NibDispute.objects.select_related("organization")
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if dispute is None or not dispute.is_confirmable:
        raise DisputeLinkInvalid(_("This confirmation link has expired or was already used."))
    return dispute


def dispute_confirm(*, token: str) -> NibDispute:
    """The claimant proved the address: the dispute goes to the ministry."""
    with transaction.atomic():
        dispute = NibDispute.objects.select_for_update().get(pk=dispute_for_link(token).pk)
        if not dispute.is_confirmable:
            raise DisputeLinkInvalid(_("This confirmation link was already used."))
        dispute.state = DisputeState.OPEN
        dispute.confirmed_at = timezone.now()
        dispute.save(update_fields=["state", "confirmed_at"])
        audit_record(
            actor=None,
            action="nib_dispute_filed",
            obj=dispute.organization,
            data={"dispute": dispute.pk, "claimant": dispute.email},
        )
    return dispute


def dispute_decide(*, dispute: NibDispute, actor, upheld: bool, reason: str) -> NibDispute:
    """Staff decide an open dispute. Upheld: the organization moves to the claimant."""
    if not actor.is_ministry_staff:
        raise NotAllowed(_("Only ministry staff decide disputes."))
    with transaction.atomic():
        dispute = NibDispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.state != DisputeState.OPEN:
            raise NotAllowed(_("This dispute was already decided."))
        organization = Organization.objects.select_for_update().get(pk=dispute.organization_id)
        dispute.state = DisputeState.UPHELD if upheld else DisputeState.REJECTED
        dispute.decided_by, dispute.decided_at = actor, timezone.now()
        dispute.decision_reason = reason
        dispute.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        data = {"dispute": dispute.pk, "claimant": dispute.email, "reason": reason}
        if upheld:
            data["old_members"] = _end_memberships(organization)
            invitation, token = _invite_claimant(organization, dispute, actor)
            outbox.enqueue(TASKS + "send_organization_moved", dispute.pk, data["old_members"])
        action = "organization_transferred" if upheld else "nib_dispute_rejected"
        audit_record(actor=actor, action=action, obj=organization, data=data)
        if upheld:
            outbox.enqueue(TASKS + "send_invitation_email", invitation.pk, token)
        else:
            outbox.enqueue(TASKS + "send_dispute_rejected", dispute.pk)
    return dispute


def _end_memberships(organization) -> list[str]:
    """Remove every member and revoke every pending invitation; return the old members'
    addresses (they are told by email)."""
    memberships = Membership.objects.filter(organization=organization).select_related("user")
    emails = sorted(m.user.email for m in memberships)
    memberships.delete()
    Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return emails


def _invite_claimant(organization, dispute, actor):
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=dispute.email,
        role=MembershipRole.OWNER,
        token_hash=hash_token(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    return invitation, token


def disputes_expire(*, now=None) -> int:
    """Delete disputes whose address was never confirmed, with their files (daily scan)."""
    now = now or timezone.now()
    expired = NibDispute.objects.filter(state=DisputeState.UNCONFIRMED, expires_at__lte=now)
    for document in DisputeDocument.objects.filter(dispute__in=expired):
        document.file.storage.delete(document.file.name)
    return expired.delete()[0]
