"""Emails the accounts app sends in the background."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from registrasi import notifications
from registrasi.accounts.models import Invitation, User

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
