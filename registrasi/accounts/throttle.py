"""Login throttling with django-axes: counters per normalised email and per client address.

The counters live in the database (axes' database handler), so every worker and every
process sees the same numbers. The login form, /admin/login/ and wrong second-factor codes
all count; password-reset requests have their own limit (see `password_reset_refusal`).
"""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django_ratelimit.core import get_usage

from registrasi.accounts.backends import normalize_login
from registrasi.audit.middleware import client_ip
from registrasi.audit.services import audit_record
from registrasi.ratelimits import too_many_requests


def login_username(request, credentials=None):
    """AXES_USERNAME_CALLABLE: the typed email, normalised as authentication does."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("username")
    # Cut to the email column's length: axes stores it in a 255-character column, and a
    # longer typed value (refused by the form anyway) must not fail the failure's record.
    return normalize_login(value)[:254] or None


class LoginThrottleHandler(AxesDatabaseHandler):
    """Locks an email after AXES_FAILURE_LIMIT failures and an address after
    LOGIN_FAILURES_PER_ADDRESS (a whole office may share one address)."""

    def get_failures(self, request, credentials=None):
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_address >= settings.LOGIN_FAILURES_PER_ADDRESS:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account

    def reset_user_attempts(self, request, credentials=None):
        # A successful login clears the account's counter only: an attacker who owns one
        # account must not clear the counter of the address they guess from.
        username_attempts = self.filter_user_attempts(request, credentials)[0]
        count, _ = username_attempts.delete()
        return count


def active_attempts():
    """Failure counters still inside the cool-off time, newest first."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(attempt_time__gte=since).order_by("-attempt_time")


def minutes_to_wait(request, credentials=None):
    """Whole minutes until the newest failure of this email or address leaves the cool-off."""
    username = login_username(request, credentials)
    address = client_ip(request)
    latest = (
        active_attempts()
        .filter(Q(username=username) | Q(ip_address=address))
        .aggregate(latest=Max("attempt_time"))["latest"]
    )
    if latest is None:
        return 1
    left = latest + settings.AXES_COOLOFF_TIME - timezone.now()
    return max(1, math.ceil(left.total_seconds() / 60))


def locked_out_page(request, minutes):
    return too_many_requests(request, minutes * 60, template="accounts/locked_out.html")


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a 429 page that says how long to wait."""
    return locked_out_page(request, minutes_to_wait(request, credentials))


def password_reset_refusal(request):
    """A 429 page when this email or this address asked for too many reset links, else None.

    django-ratelimit counts in the default cache: Redis, shared by every worker, when
    REDIS_URL is set.
    """
    email = normalize_login(request.POST.get("email"))
    limits = [
        ("accounts.password_reset.email", lambda group, req: email, "PASSWORD_RESETS_PER_ACCOUNT"),
        (
            "accounts.password_reset.ip",
            lambda group, req: client_ip(req) or "",
            "PASSWORD_RESETS_PER_ADDRESS",
        ),
    ]
    for group, key, rate_setting in limits:
        usage = get_usage(
            request, group=group, key=key, rate=getattr(settings, rate_setting), increment=True
        )
        if usage and usage["should_limit"]:
            # Too many reset links, not a locked login: the generic page says so.
            return too_many_requests(request, usage["time_left"])
    return None


# --- what staff see and undo ------------------------------------------------------------------


def _locked(field, limit):
    return (
        active_attempts()
        .exclude(**{f"{field}__isnull": True})
        .order_by()
        .values(field)
        .annotate(failures=Sum("failures_since_start"), latest=Max("attempt_time"))
        .filter(failures__gte=limit)
        .order_by("-latest")
    )


def locked_accounts():
    """Email addresses locked out now, with their failure count and last failure."""
    return _locked("username", settings.AXES_FAILURE_LIMIT)


def locked_addresses():
    return _locked("ip_address", settings.LOGIN_FAILURES_PER_ADDRESS)


def login_unlock(*, actor, username: str = "", ip_address: str = "") -> int:
    """Clear the failures of one email address or one IP address; audited."""
    if bool(username) == bool(ip_address):
        raise ValueError("Unlock exactly one email address or one IP address.")
    username = normalize_login(username) if username else None
    with transaction.atomic():
        if username:
            count = AxesProxyHandler.reset_attempts(username=username)
        else:
            count = AxesProxyHandler.reset_attempts(ip_address=ip_address)
        audit_record(
            actor=actor,
            action="login_unlocked",
            data={"username": username or "", "ip_address": ip_address or "", "cleared": count},
        )
    return count
