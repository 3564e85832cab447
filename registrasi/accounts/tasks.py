"""Emails the accounts app sends in the background."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from registrasi import notifications
from registrasi.accounts.models import Invitation, NibDispute, SignupRequest, User

logger = logging.getLogger(__name__)


def invitation_language(invitation):
    """The invitee's own language when they already have an account, else the inviter's."""
    existing = User.objects.filter(email__iexact=invitation.email).only("language").first()
    return (existing or invitation.invited_by).language


@shared_task(bind=True, **notifications.EMAIL_TASK_OPTIONS)
def send_invitation_email(self, invitation_id, token):
    """Send the invitation link. The token is not stored, so it comes with the task."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_usable:
        # Revoked or accepted before the mail went out: nothing worth sending.
        logger.info("invitation %s no longer usable; email not sent", invitation_id)
        return False
    link = settings.SITE_URL + reverse("accounts:accept_invitation", args=[token])
    with translation.override(invitation_language(invitation)):
        context = {
            "invitation": invitation,
            "organization": invitation.organization,
            "inviter": invitation.invited_by,
            "link": link,
            "valid_days": settings.INVITATION_VALID_DAYS,
        }
        subject = render_to_string("accounts/emails/invitation_subject.txt", context)
        body = render_to_string("accounts/emails/invitation.txt", context)
    send_mail(" ".join(subject.split()), body, None, [invitation.email])
    return True


def _send(template, context, to):
    subject = render_to_string(f"accounts/emails/{template}_subject.txt", context)
    body = render_to_string(f"accounts/emails/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])


@shared_task(bind=True, **notifications.EMAIL_TASK_OPTIONS)
def send_signup_confirmation(self, signup_request_id, token):
    """The link that confirms a sign-up. The token is not stored, so it comes with the task."""
    pending = SignupRequest.objects.filter(pk=signup_request_id).first()
    if pending is None or not pending.is_usable:
        return False
    context = {
        "pending": pending,
        "link": settings.SITE_URL + reverse("accounts:signup_confirm", args=[token]),
        "valid_hours": settings.SIGNUP_CONFIRM_HOURS,
    }
    with translation.override(pending.language):
        _send("signup_confirm", context, pending.email)
    return True


@shared_task(bind=True, **notifications.EMAIL_TASK_OPTIONS)
def send_signup_existing_account(self, email, language):
    """Someone signed up with an address that has an account: tell its owner, not the form."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return False
    context = {
        "user": user,
        "login": settings.SITE_URL + reverse("accounts:login"),
        "reset": settings.SITE_URL + reverse("accounts:password_reset"),
    }
    with translation.override(user.language or language):
        _send("signup_existing", context, user.email)
    return True


@shared_task
def expire_signup_requests():
    """Daily: unconfirmed sign-ups and disputes past their expiry are deleted."""
    from registrasi.accounts.disputes import disputes_expire
    from registrasi.accounts.services import signup_requests_expire

    return {"signups": signup_requests_expire(), "disputes": disputes_expire()}


@shared_task(name="registrasi.accounts.tasks.apply_retention_rules", acks_late=True)
def apply_retention_rules():
    """Daily (beat): apply the retention rules (registrasi.accounts.retention). Idempotent."""
    from registrasi.accounts.retention import retention_apply

    return retention_apply()


def _dispute(dispute_id):
    return NibDispute.objects.select_related("organization").filter(pk=dispute_id).first()


@shared_task(bind=True, **notifications.EMAIL_TASK_OPTIONS)
def send_dispute_confirmation(self, dispute_id, token):
    dispute = _dispute(dispute_id)
    if dispute is None or not dispute.is_confirmable:
        return False
    context = {
        "dispute": dispute,
        "link": settings.SITE_URL + reverse("accounts:dispute_confirm", args=[token]),
        "valid_hours": settings.SIGNUP_CONFIRM_HOURS,
    }
    with translation.override(dispute.language):
        _send("dispute_confirm", context, dispute.email)
    return True


@shared_task(bind=True, **notifications.EMAIL_TASK_OPTIONS)
def send_organization_moved(self, dispute_id, emails):
    """Tell the old members that the organization moved to the company that owns the NIB."""
    dispute = _dispute(dispute_id)
    if dispute is None:
        return 0
    for user in User.objects.filter(email__in=emails):
        with translation.override(user.language):
            _send("organization_moved", {"dispute": dispute, "user": user}, user.email)
    return len(emails)


@shared_task(bind=True, **notifications.EMAIL_TASK_OPTIONS)
def send_dispute_rejected(self, dispute_id):
    dispute = _dispute(dispute_id)
    if dispute is None:
        return False
    with translation.override(dispute.language):
        _send("dispute_rejected", {"dispute": dispute}, dispute.email)
    return True
