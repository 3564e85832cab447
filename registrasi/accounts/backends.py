"""Email login: one normalisation shared by authentication and login throttling."""

import unicodedata

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend


def normalize_login(value):
    """The form of a typed email address that authentication and every counter use.

    NFKC folds compatibility characters (a fullwidth "Ａ" becomes "A", as Django's login form
    already does), then surrounding spaces go and case is ignored: every spelling that logs
    in to one account is one key.
    """
    return unicodedata.normalize("NFKC", str(value or "")).strip().lower()


class EmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("email")
        return super().authenticate(
            request, username=normalize_login(username) or None, password=password, **kwargs
        )


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS.

    Every login over HTTP passes its request (the login form, /admin/login/), and is checked.
    A call without a request (a management command, a test's `client.login`) has no client
    address to count and nobody to lock out, so it is let through to the next backend
    instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
