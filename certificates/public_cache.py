"""Rendered public pages (/registry/, /verify/<number>/) kept in the cache, with ETag and
Last-Modified, and 304 for a conditional GET.

The key holds what the page depends on: the full path, the language, today's date (a status
depends on it: an active certificate past its last day reads as expired) and the latest
`updated_at` of all certificates. Every state change saves `updated_at` (run_transition), so
a suspension changes the key at once: no page is served stale, whatever cache backend
(Redis, or one cache per process) holds it. The latest `updated_at` is one index read.

Only visitors without a session or messages cookie are served from the cache (a logged-in
person's page shows their menu; nothing is read from the session for the others). The CSRF
token of the language form is put back per request: the cached body holds a placeholder.
"""

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language

from certificates.models import Certificate

CACHE_SECONDS = 300
TOKEN_PLACEHOLDER = b"@@csrf-token-placeholder@@"
# The page's one masked token (the {% csrf_token %} input; the same value elsewhere on it).
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{32,128})"')


def version():
    """(latest updated_at of any certificate, today): changes when any certificate does."""
    from registrasi.dates import today

    latest = Certificate.objects.order_by().aggregate(latest=Max("updated_at"))["latest"]
    return latest, today()


def _cacheable(request) -> bool:
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and not getattr(request, "limited", False)
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
    )


def cached_public_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        latest, day = version()
        raw = f"{request.get_full_path()}|{get_language()}|{latest}|{day}"
        digest = hashlib.sha256(raw.encode()).hexdigest()
        etag = f'"{digest[:32]}"'
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return not_modified
        key = f"public-page:{digest}"
        stored = cache.get(key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            stored = (_without_token(response.content), response["Content-Type"])
            cache.set(key, stored, CACHE_SECONDS)
        content, content_type = stored
        response = HttpResponse(
            content.replace(TOKEN_PLACEHOLDER, get_token(request).encode()),
            content_type=content_type,
        )
        response["ETag"] = etag
        response["Cache-Control"] = "no-cache"  # may be stored, revalidated with the ETag
        return response

    return wrapper


def _without_token(content: bytes) -> bytes:
    match = TOKEN.search(content)
    return content.replace(match.group(1), TOKEN_PLACEHOLDER) if match else content
