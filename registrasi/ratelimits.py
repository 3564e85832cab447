"""Rate limits (django-ratelimit) answered with one 429 page that says how long to wait.

A plain missing permission is a 403 (templates/403.html); a request over its rate is a 429
(templates/429.html) with Retry-After. The counters live in the default cache (Redis, shared
by every worker, when REDIS_URL is set). Login lockouts have their own page with the same
status (registrasi/accounts/throttle.py, django-axes).
"""

import functools
import math

from django.shortcuts import render
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

ALL_METHODS = (None,)


def too_many_requests(request, seconds: int | None = None, *, template: str = "429.html"):
    """The 429 page (`template`: the login lockout has its own words): how long to wait in
    whole minutes (at least one), also as Retry-After."""
    minutes = max(1, math.ceil((seconds or 60) / 60))
    response = render(request, template, {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def rate_limit(*, key, rate, method=ALL_METHODS, group=None):
    """Count each request of the view (`key`, `rate` as django-ratelimit takes them) and
    answer the 429 page past the rate, with the seconds left in the window."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            usage = get_usage(
                request, group=group, fn=view, key=key, rate=rate, method=method, increment=True
            )
            if usage and usage["should_limit"]:
                return too_many_requests(request, usage["time_left"])
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def permission_denied(request, exception=None):
    """handler403: django-ratelimit's Ratelimited is a PermissionDenied, but the cause is the
    rate, not a permission: answer it with the 429 page."""
    if isinstance(exception, Ratelimited):
        return too_many_requests(request)
    return render(request, "403.html", status=403)
