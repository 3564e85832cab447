"""Remembers the client's IP address for the audit log while a request is handled."""

import ipaddress
from contextvars import ContextVar

from django.conf import settings

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def client_ip(request):
    """The address of whoever connected to the deployment's reverse proxy.

    The proxy appends that address to X-Forwarded-For, so only the LAST entry is trustworthy:
    anything before it was sent by the client and can be forged. Without a proxy
    (USE_X_FORWARDED_FOR off, the default) the header is the client's own word and is ignored.
    """
    if not settings.USE_X_FORWARDED_FOR:
        return request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if entries and _is_ip(entries[-1]):
        return entries[-1]
    return request.META.get("REMOTE_ADDR")


def _is_ip(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class RequestIPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
