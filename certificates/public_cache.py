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

Two layers serve a stored page. `cached_public_page` (the view's decorator) renders and
stores it. PublicPageMiddleware, placed before the session, CSRF, locale, authentication
and header middleware, stores the headers those added on the way out, and answers the next
visitor from the cache before any of them runs (the page's rate limit still counted, its
CSRF cookie still set): a cached page then costs about what a bare view does.
"""

import functools
import hashlib
import re

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response

from certificates.models import Certificate

CACHE_SECONDS = 300
TOKEN_PLACEHOLDER = b"@@csrf-token-placeholder@@"
# The page's one masked token (the {% csrf_token %} input; the same value elsewhere on it).
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{32,128})"')
# Headers each response gets anew rather than from the stored page.
NOT_STORED = {"content-length", "etag", "date"}
# The public pages' rate limit (certificates.views.public.limit_public_reads), counted by the
# middleware for the pages it serves itself.
RATE_GROUP = "certificates:public"
# One read of the index on updated_at (certificates 0008).
LATEST_CHANGE = f"SELECT MAX(updated_at) FROM {Certificate._meta.db_table}"


def version():
    """(latest updated_at of any certificate, today): changes when any certificate does.
    In SQL of its own: the ORM's aggregate() costs as much again as the query it sends, and
    the query is all a cached page's visit costs the database."""
    from registrasi.dates import today

    with connection.cursor() as cursor:
        cursor.execute(LATEST_CHANGE)
        (latest,) = cursor.fetchone()
    return latest, today()


def _cacheable(request) -> bool:
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and not getattr(request, "limited", False)
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
    )


def _page_key(request, language) -> tuple[str, str]:
    """(cache key, ETag) of the page the request asks for in `language`; remembered on the
    request, so the middleware and the view read the version once between them."""
    known = getattr(request, "_public_page_key", None)
    if known is None or known[0] != language:
        latest, day = version()
        raw = f"{request.get_full_path()}|{language}|{latest}|{day}"
        digest = hashlib.sha256(raw.encode()).hexdigest()
        known = request._public_page_key = (language, f"public-page-2:{digest}", f'"{digest[:32]}"')
    return known[1], known[2]


def cached_public_page(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key, etag = _page_key(request, translation.get_language())
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return not_modified
        stored = cache.get(key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            stored = {"content": _without_token(response.content), "type": response["Content-Type"]}
            cache.set(key, stored, CACHE_SECONDS)
        request._public_page_stored = stored  # the middleware adds the headers to it
        return _page_response(request, stored, etag)

    wrapper.public_page_cache = True  # kept by the decorators outside (functools.wraps)
    return wrapper


def _page_response(request, stored, etag):
    response = HttpResponse(
        stored["content"].replace(TOKEN_PLACEHOLDER, get_token(request).encode()),
        content_type=stored["type"],
    )
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"  # may be stored, revalidated with the ETag
    return response


def _without_token(content: bytes) -> bytes:
    match = TOKEN.search(content)
    return content.replace(match.group(1), TOKEN_PLACEHOLDER) if match else content


class PublicPageMiddleware:
    """Answers a cookie-less GET of a public page from the cache, before the middleware after
    it runs; stores, with the page, the headers that middleware added (security policy,
    permissions policy, frame options, language, Vary) to send them again."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if not (_cacheable(request) and _is_public_page(request.path_info)):
            return self.get_response(request)
        request.get_host()  # ALLOWED_HOSTS, as CommonMiddleware would check it
        language = translation.get_language_from_request(request)
        key, etag = _page_key(request, language)
        stored = cache.get(key)
        if stored is None or "headers" not in stored or _limited(request):
            return self._store_headers(request, self.get_response(request), key)
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return _with_headers(not_modified, stored, content=False)
        self.csrf.process_request(request)
        response = _with_headers(_page_response(request, stored, etag), stored)
        return self.csrf.process_response(request, response)

    def _store_headers(self, request, response, key):
        stored = getattr(request, "_public_page_stored", None)
        if stored is not None and "headers" not in stored and response.status_code == 200:
            headers = [(k, v) for k, v in response.items() if k.lower() not in NOT_STORED]
            cache.set(key, {**stored, "headers": headers}, CACHE_SECONDS)
        return response


def _with_headers(response, stored, content=True):
    for name, value in stored["headers"]:
        if content or name.lower() != "content-type":
            response[name] = value
    return response


def _limited(request) -> bool:
    """Counts the request against the public pages' rate limit; past it, the page's own
    decorator answers (429)."""
    from django_ratelimit.core import get_usage

    from certificates.rates import public_rate

    usage = get_usage(
        request, group=RATE_GROUP, key="ip", rate=public_rate, method="GET", increment=True
    )
    return bool(usage and usage["should_limit"])


@functools.lru_cache(maxsize=4096)
def _is_public_page(path: str) -> bool:
    try:
        return getattr(resolve(path).func, "public_page_cache", False)
    except Resolver404:
        return False
