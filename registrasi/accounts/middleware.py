"""Session limits, the second-factor gate and private caching, for every request."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from registrasi.accounts import second_factor, sessions


class SessionPolicyMiddleware:
    """Logs out a session that was idle too long or has lasted too long in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and sessions.expired(request):
            path = request.get_full_path()
            logout(request)
            messages.info(request, _("Your session ended. Please log in again."))
            return redirect_to_login(path)
        return self.get_response(request)


class SecondFactorMiddleware:
    """Until this login is verified with a code, a person who has (or must have) a second
    factor reaches only the pages that set it up or ask for the code, and logging out."""

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def open_paths(self):
        names = [
            "accounts:second_factor_setup",
            "accounts:second_factor_verify",
            "accounts:logout",
            "set_language",
            "healthz",
        ]
        return tuple(reverse(name) for name in names)

    def _is_open(self, path):
        return path.startswith(("/" + settings.STATIC_URL.lstrip("/"), *self.open_paths))

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not self._is_open(request.path)
            and (
                request.session.get(second_factor.PENDING_SESSION_KEY)
                or second_factor.required_for(user)
            )
        ):
            return self._ask_for_code(request, user)
        return self.get_response(request)

    def _ask_for_code(self, request, user):
        pending = request.session.get(second_factor.PENDING_SESSION_KEY)
        name = (
            "accounts:second_factor_verify"
            if pending or second_factor.has_second_factor(user)
            else "accounts:second_factor_setup"
        )
        next_path = request.get_full_path()
        return redirect(f"{reverse(name)}?{urlencode({'next': next_path})}")


class PrivateCacheMiddleware:
    """Pages for a logged-in person and private downloads are never stored by a browser or
    a proxy: `Cache-Control: private, no-store`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response
