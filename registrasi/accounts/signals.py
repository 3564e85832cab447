"""Every login, failed login and lockout goes into the audit log; a login starts the
session's clock and says whether a second-factor code is still owed."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from registrasi.accounts import second_factor, sessions
from registrasi.accounts.models import User
from registrasi.accounts.throttle import login_username
from registrasi.audit.services import audit_record


def _account(username):
    # get_by_natural_key refuses values longer than the column (a 1 MB "email" would otherwise
    # reach a LIKE pattern, which SQLite answers with an error: a 500).
    try:
        return User.objects.get_by_natural_key(username) if username else None
    except User.DoesNotExist:
        return None


def _path(request):
    return getattr(request, "path", "") or ""


@receiver(user_logged_in, dispatch_uid="accounts.on_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    sessions.start(request, user)
    request.session[second_factor.PENDING_SESSION_KEY] = second_factor.has_second_factor(user)
    with transaction.atomic():
        audit_record(actor=user, action="login", obj=user, data={"path": _path(request)})


@receiver(user_login_failed, dispatch_uid="accounts.on_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = login_username(request, credentials)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="login_failed",
            obj=_account(username),
            data={"username": username or "", "path": _path(request)},
        )


@receiver(user_locked_out, dispatch_uid="accounts.on_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    with transaction.atomic():
        audit_record(
            actor=None,
            action="login_locked_out",
            obj=_account(username),
            data={"username": username or "", "ip_address": ip_address or ""},
        )
