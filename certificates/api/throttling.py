"""Rate limits in the shared cache: per client address for the public, per token otherwise.
A refusal is 429 with Retry-After (DRF's Throttled)."""

from rest_framework.throttling import SimpleRateThrottle

from registrasi.audit.middleware import client_ip


class PublicThrottle(SimpleRateThrottle):
    scope = "public"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request._request)}


class TokenThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        token = request.auth
        ident = getattr(token, "pk", None) or client_ip(request._request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
