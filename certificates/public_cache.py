"""Rendered public pages (/registry/, /verify/<number>/) kept in the cache, with ETag and
Last-Modified, and 304 for a conditional GET.

A stored page is served only while the version it was built for is current. The version is
(a token that changes whenever any certificate row changes, today's date): a status depends
on the date too (an active certificate past its last day reads as expired). The page's key
holds only the full path and the language; the entry carries its version and its ETag.

Where the token lives, so a cached visit costs no database query:
- a shared cache (Redis): under VERSION_KEY, read with the page in one round trip
  (get_many). Missing (first start, evicted): the latest `updated_at` of all certificates
  is read from the database and added (cache.add: a bump that came meanwhile wins);
- a per-process cache (LocMemCache, the embedded defaults): a bump could not reach the other
  processes' caches, so the token is the size (and inode, mtime) of a marker file in
  VAR_DIR that every bump appends a byte to: one stat(), seen by every process on the host;
- otherwise, and while Redis does not answer (registrasi.cache's local fallback: a bump
  would reach only this process), the latest `updated_at` from the database, as before.

A bump (public_pages_changed) comes from post_save/post_delete of Certificate
(certificates.apps) and from every bulk write of certificate rows (rendering's claims,
scale_data, demo). It runs at once and again on commit: a visitor whose page was rendered
between the two (from rows not yet committed) got the first token, which the second
replaces. A page is stored under the version read before it was rendered, so it can only
be older than the rows, never newer than its version claims.

Only visitors without a session or messages cookie are served from the cache (a logged-in
person's page shows their menu; nothing is read from the session for the others). The CSRF
token of the language form is put back per request: the cached body holds a placeholder.

Two layers serve a stored page. `cached_public_page` (the view's decorator) renders and
stores it. PublicPageMiddleware, placed before the session, CSRF, locale, authentication
and header middleware, stores the headers those added on the way out, and answers the next
visitor from the cache before any of them runs (the page's rate limit still counted, its
CSRF cookie still set): a cached page then costs about what a bare view does.
"""

import contextlib
import functools
import hashlib
import os
import re
import uuid

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CsrfViewMiddleware,
)
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response

from certificates.models import Certificate
from registrasi.dates import today

CACHE_SECONDS = 300
PAGE_PREFIX = "public-page-3:"
VERSION_KEY = "public-page-version"
# The marker file is replaced (a new inode: a new token) once it reaches this size.
MARKER_MAX_BYTES = 1 << 20
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


# The version ------------------------------------------------------------------------------
def _mode() -> str:
    """Where the token of the version is read: "cache", "file" or "db" (see the module note)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return "db" if getattr(backend, "using_fallback", False) else "cache"
    return "file" if isinstance(backend, LocMemCache) else "db"


def marker_path() -> str:
    """The marker file of this database (several projects or bench databases may share
    VAR_DIR); PUBLIC_PAGE_VERSION_FILE overrides it (tests)."""
    configured = getattr(settings, "PUBLIC_PAGE_VERSION_FILE", None)
    if configured:
        return str(configured)
    name = str(settings.DATABASES["default"]["NAME"])
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return os.path.join(settings.VAR_DIR, f"public-pages-{digest}.version")


def _latest_change() -> str:
    """The latest updated_at of any certificate, in SQL of its own: the ORM's aggregate()
    costs as much again as the query it sends."""
    with connection.cursor() as cursor:
        cursor.execute(LATEST_CHANGE)
        (latest,) = cursor.fetchone()
    return f"db:{latest}"


def _file_token() -> str | None:
    path = marker_path()
    try:
        status = os.stat(path)
    except FileNotFoundError:
        _append_marker(path)
        try:
            status = os.stat(path)
        except OSError:
            return None
    except OSError:
        return None
    return f"f:{status.st_ino}:{status.st_size}:{status.st_mtime_ns}"


def _append_marker(path: str) -> None:
    """One byte more (O_APPEND: every writer's byte counts, the size only grows)."""
    try:
        for _attempt in range(3):
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(descriptor, b".")
                written = os.fstat(descriptor)
            finally:
                os.close(descriptor)
            # Another process may have replaced the file meanwhile: this byte then went to
            # the old one, which nobody reads; write it again to the new one.
            if os.stat(path).st_ino == written.st_ino:
                break
        size = written.st_size
        if size >= MARKER_MAX_BYTES:  # a new file, a new inode: still a new token
            fresh = f"{path}.{uuid.uuid4().hex}"
            with open(fresh, "wb") as handle:
                handle.write(b".")
            os.replace(fresh, path)
    except OSError:  # not writable, disk full: without a marker the readers ask the database
        with contextlib.suppress(OSError):
            os.remove(path)


def _read(key: str | None) -> tuple[str, dict | None]:
    """(current version, the stored entry of `key` or None), in one cache round trip when
    the token is in the cache."""
    mode = _mode()
    if mode == "cache" and _missed_bump:
        _bump()
        mode = _mode()
    if mode == "cache":
        found = cache.get_many([VERSION_KEY, key] if key else [VERSION_KEY])
        token = found.get(VERSION_KEY)
        if token is None:
            token = _latest_change()
            cache.add(VERSION_KEY, token, None)
        entry = found.get(key) if key else None
    else:
        token = _file_token() if mode == "file" else None
        if token is None:
            token = _latest_change()
        entry = cache.get(key) if key else None
    version = f"{token}|{today().isoformat()}"
    if entry is not None and entry.get("version") != version:
        entry = None
    return version, entry


def version() -> str:
    """The current version of the public pages (changes when any certificate does, and
    with the date)."""
    return _read(None)[0]


# A bump made while Redis did not answer reached only this process: made again in Redis as
# soon as it answers (the next read of this process).
_missed_bump = False


def _bump() -> None:
    global _missed_bump
    mode = _mode()
    if isinstance(caches["default"], RedisCache):
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
        _missed_bump = _mode() != "cache"
    elif mode == "file":
        _append_marker(marker_path())
    # Otherwise the readers read updated_at, which the write changed.


def public_pages_changed(**kwargs) -> None:
    """A certificate row changed (or is about to commit): the stored pages are not served
    again. Call it after any write of certificate rows that sends no post_save (update(),
    bulk_create, bulk_update, SQL); also a post_save/post_delete receiver."""
    _bump()
    transaction.on_commit(_bump)


# The pages --------------------------------------------------------------------------------
def _cacheable(request) -> bool:
    cookies = request.COOKIES
    return (
        request.method in ("GET", "HEAD")
        and not getattr(request, "limited", False)
        and settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
    )


@functools.lru_cache(maxsize=4096)
def _page_key(full_path: str, language: str) -> str:
    digest = hashlib.sha256(f"{full_path}|{language}".encode()).hexdigest()
    return PAGE_PREFIX + digest


def _lookup(request, language) -> tuple[str, str, dict | None]:
    """(cache key, version, valid stored entry or None) of the page the request asks for in
    `language`; remembered on the request, so the middleware and the view read the version
    once between them (and the view stores under the version read before it rendered)."""
    known = getattr(request, "_public_page", None)
    if known is None or known[0] != language:
        key = _page_key(request.get_full_path(), language)
        version, entry = _read(key)
        known = request._public_page = (language, key, version, entry)
    return known[1], known[2], known[3]


def _etag(key: str, version: str) -> str:
    digest = hashlib.sha256(f"{key}|{version}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def cached_public_page(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key, version, stored = _lookup(request, translation.get_language())
        etag = stored["etag"] if stored is not None else _etag(key, version)
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return not_modified
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            stored = {
                "version": version,
                "etag": etag,
                "content": _without_token(response.content),
                "type": response["Content-Type"],
            }
            cache.set(key, stored, CACHE_SECONDS)
        request._public_page_stored = stored  # the middleware adds the headers to it
        return _page_response(request, stored)

    wrapper.public_page_cache = True  # kept by the decorators outside (functools.wraps)
    return wrapper


def _page_response(request, stored):
    response = HttpResponse(
        stored["content"].replace(TOKEN_PLACEHOLDER, _masked_token(request).encode()),
        content_type=stored["type"],
    )
    response["ETag"] = stored["etag"]
    response["Cache-Control"] = "no-cache"  # may be stored, revalidated with the ETag
    return response


def _random_indexes(count: int) -> list[int]:
    """`count` uniform indexes into CSRF_ALLOWED_CHARS from os.urandom (what secrets.choice
    draws from), a byte at a time with rejection (no modulo bias): get_random_string asks
    the OS once per character, a third of a cached page's time."""
    size = len(CSRF_ALLOWED_CHARS)
    below = 256 - 256 % size
    indexes: list[int] = []
    while len(indexes) < count:
        indexes += [byte % size for byte in os.urandom(2 * count) if byte < below]
    return indexes[:count]


_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def _masked_token(request) -> str:
    """django.middleware.csrf.get_token, with the same secret, cookie flags and masking
    (CSRF_SECRET_LENGTH characters of mask, then the secret shifted by it), drawn faster."""
    meta = request.META
    chars = CSRF_ALLOWED_CHARS
    if "CSRF_COOKIE" in meta:
        secret = meta["CSRF_COOKIE"]
        meta["CSRF_COOKIE_NEEDS_UPDATE"] = True
    else:
        secret = "".join(chars[i] for i in _random_indexes(CSRF_SECRET_LENGTH))
        meta.update({"CSRF_COOKIE": secret, "CSRF_COOKIE_NEEDS_UPDATE": True})
    mask = _random_indexes(CSRF_SECRET_LENGTH)
    shifted = (_CHAR_INDEX[c] + m for c, m in zip(secret, mask, strict=True))
    cipher = "".join(chars[index % len(chars)] for index in shifted)
    return "".join(chars[m] for m in mask) + cipher


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
        key, _version, stored = _lookup(request, language)
        if stored is None or "headers" not in stored or _limited(request):
            return self._store_headers(request, self.get_response(request), key)
        not_modified = get_conditional_response(request, etag=stored["etag"])
        if not_modified is not None:
            return _with_headers(not_modified, stored, content=False)
        self.csrf.process_request(request)
        response = _with_headers(_page_response(request, stored), stored)
        return self.csrf.process_response(request, response)

    def _store_headers(self, request, response, key):
        stored = getattr(request, "_public_page_stored", None)
        if stored is not None and "headers" not in stored and response.status_code == 200:
            # The view may have stored under another language's key (LocaleMiddleware).
            view_key = getattr(request, "_public_page", (None, key))[1]
            headers = [(k, v) for k, v in response.items() if k.lower() not in NOT_STORED]
            cache.set(view_key, {**stored, "headers": headers}, CACHE_SECONDS)
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
