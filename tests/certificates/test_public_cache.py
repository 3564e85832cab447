"""The public pages' cache (certificates.public_cache): served again without rendering and
without a query, a suspension shows at once (the version bumped at once and again on commit,
read from the cache, a marker file or the database), ETag and 304, nothing cached for a
logged-in person, and the language form of a cached page still carries a CSRF token valid
for its visitor."""

import os
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates import public_cache, services
from certificates.models import Certificate
from tests.certificates.test_views import quick_certificate

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture(autouse=True)
def own_version(settings, tmp_path):
    """A marker file of this test's own (xdist workers share VAR_DIR) and an empty cache."""
    settings.PUBLIC_PAGE_VERSION_FILE = str(tmp_path / "public-pages.version")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certificate(organization):
    return quick_certificate(organization)


def verify_url(certificate):
    return reverse("certificates:verify", args=[certificate.number])


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


@pytest.mark.parametrize("page", ["verify", "registry"])
def test_a_second_visit_is_served_from_the_cache_without_a_query(certificate, page):
    url = verify_url(certificate) if page == "verify" else reverse("certificates:registry")
    first, first_queries = get(Client(), url)
    again, queries = get(Client(), url)
    assert first.status_code == again.status_code == 200
    assert first_queries >= 1  # rendered
    assert queries == 0  # the version in the cache (Redis) or the marker file (locmem)
    assert certificate.legal_name in again.content.decode()


def test_a_suspension_shows_at_once(certificate, staff_user):
    url = verify_url(certificate)
    assert "This certificate is valid today." in Client().get(url).content.decode()
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason="Complaints.")
    body = Client().get(url).content.decode()
    assert "has been suspended since" in body
    assert "This certificate is valid today." not in body


def test_a_conditional_get_with_the_etag_answers_304(certificate, staff_user):
    url = verify_url(certificate)
    first = Client().get(url)
    assert first["ETag"]
    response, queries = get(Client(), url, if_none_match=first["ETag"])
    assert response.status_code == 304 and queries == 0
    # Once the certificate changes, the same ETag gets the new page.
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason="Complaints.")
    response = Client().get(url, headers={"if-none-match": first["ETag"]})
    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]


def test_a_logged_in_person_is_not_served_from_the_cache(certificate, applicant):
    url = verify_url(certificate)
    Client().get(url)  # cached for anonymous visitors
    client = Client()
    client.force_login(applicant)
    response = client.get(url)
    assert applicant.email in response.content.decode() or "logout" in response.content.decode()
    assert "ETag" not in response


def test_the_cached_page_carries_a_csrf_token_valid_for_its_visitor(certificate):
    url = verify_url(certificate)
    Client().get(url)  # renders and caches
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.get(url)
    token = TOKEN.search(response.content.decode()).group(1)
    assert "@@csrf" not in response.content.decode()
    switched = visitor.post(
        reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": token, "next": url}
    )
    assert switched.status_code == 302


def served_from_cache(url):
    response, queries = get(Client(), url)
    assert response.status_code == 200
    return queries == 0, response.content.decode()


def test_any_saved_change_of_a_certificate_shows_at_once(certificate):
    url = verify_url(certificate)
    Client().get(url)
    assert served_from_cache(url)[0]
    certificate.legal_name = "PT Nama Baru Sejahtera"
    certificate.save()  # post_save: not a transition
    cached, body = served_from_cache(url)
    assert not cached and "PT Nama Baru Sejahtera" in body


def test_a_bulk_write_is_shown_once_it_bumps_the_version(certificate):
    url = verify_url(certificate)
    Client().get(url)
    Certificate.objects.filter(pk=certificate.pk).update(legal_name="PT Lewat Update")
    public_cache.public_pages_changed()  # what every update()/bulk path calls
    cached, body = served_from_cache(url)
    assert not cached and "PT Lewat Update" in body


def test_the_version_is_bumped_again_on_commit(certificate, staff_user):
    """A page rendered between the first bump and the commit (from the rows not yet
    committed) was stored under the first bump's version, which the commit replaces."""
    with TestCommitCallbacks() as callbacks:
        services.certificate_suspend(certificate=certificate, actor=staff_user, reason="Spam.")
        during = public_cache.version()
        assert public_cache._bump in callbacks.functions()
        callbacks.run()
    assert public_cache.version() != during


class TestCommitCallbacks:
    """The on_commit callbacks registered inside (the test's transaction never commits)."""

    def __enter__(self):
        self.start = len(connection.run_on_commit)
        return self

    def __exit__(self, *exc):
        return False

    def functions(self):
        return [entry[1] for entry in connection.run_on_commit[self.start :]]

    def run(self):
        for function in self.functions():
            function()


def test_a_lost_version_is_read_again_never_kept(certificate, staff_user, settings):
    """The version evicted from the cache (or the marker file removed): the next visit
    reads it anew (the database, or a new marker) and renders again."""
    url = verify_url(certificate)
    Client().get(url)
    cache.delete(public_cache.VERSION_KEY)
    if os.path.exists(settings.PUBLIC_PAGE_VERSION_FILE):
        os.remove(settings.PUBLIC_PAGE_VERSION_FILE)
    Certificate.objects.filter(pk=certificate.pk).update(legal_name="PT Tanpa Sinyal")
    cached, body = served_from_cache(url)
    assert not cached and "PT Tanpa Sinyal" in body


def test_another_process_bump_is_seen_through_the_marker_file(certificate, settings):
    """With a per-process cache a bump cannot reach the other processes' caches: the marker
    file (one stat per visit) carries it to them, also once it is replaced when full."""
    if public_cache._mode() != "file":
        pytest.skip("the marker file is for a per-process cache (no REDIS_URL)")
    url = verify_url(certificate)
    Client().get(url)
    assert served_from_cache(url)[0]
    public_cache._append_marker(settings.PUBLIC_PAGE_VERSION_FILE)  # another process
    assert not served_from_cache(url)[0]
    settings_size = os.path.getsize(settings.PUBLIC_PAGE_VERSION_FILE)
    before = public_cache.version()
    original = public_cache.MARKER_MAX_BYTES
    public_cache.MARKER_MAX_BYTES = settings_size + 1
    try:
        public_cache._append_marker(settings.PUBLIC_PAGE_VERSION_FILE)  # full: replaced
    finally:
        public_cache.MARKER_MAX_BYTES = original
    assert os.path.getsize(settings.PUBLIC_PAGE_VERSION_FILE) == 1
    assert public_cache.version() != before


def test_while_redis_does_not_answer_the_version_comes_from_the_database(
    certificate, staff_user, settings
):
    """Redis down: its local fallback is per process, a bump would reach only this one; the
    version is then the latest change in the database (one query), and a suspension still
    shows at once."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "registrasi.cache.FallbackRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    caches["default"].get("wake")  # fails over to the local cache
    assert public_cache._mode() == "db"
    url = verify_url(certificate)
    Client().get(url)
    response, queries = get(Client(), url)
    assert queries == 1 and "This certificate is valid today." in response.content.decode()
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason="Spam.")
    assert "has been suspended since" in Client().get(url).content.decode()


def test_each_visitor_of_a_cached_page_gets_its_own_token_and_cookie(certificate):
    """The token put in a cached page is drawn as get_token draws it: a new secret in the
    CSRF cookie per cookie-less visitor, masked anew per page; Django unmasks it to the
    cookie's secret."""
    from django.conf import settings
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token

    url = verify_url(certificate)
    Client().get(url)
    seen = set()
    for _ in range(3):
        response = Client().get(url)
        token = TOKEN.search(response.content.decode()).group(1)
        secret = response.cookies[settings.CSRF_COOKIE_NAME].value
        assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert len(secret) == 32 and _unmask_cipher_token(token) == secret
        seen |= {token, secret}
    assert len(seen) == 6


def test_a_visitor_with_a_csrf_cookie_keeps_its_secret(certificate):
    from django.conf import settings
    from django.middleware.csrf import _unmask_cipher_token

    url = verify_url(certificate)
    Client().get(url)
    visitor = Client()
    first = visitor.get(url)
    secret = first.cookies[settings.CSRF_COOKIE_NAME].value
    again = visitor.get(url)
    token = TOKEN.search(again.content.decode()).group(1)
    assert _unmask_cipher_token(token) == secret
    assert TOKEN.search(first.content.decode()).group(1) != token  # masked anew


def test_a_marker_that_cannot_be_written_is_removed_and_the_database_asked(
    certificate, settings, monkeypatch
):
    """A bump that cannot reach the marker (disk full) must not leave the old token in
    place: the marker goes, and the version comes from the database until it is back."""
    if public_cache._mode() != "file":
        pytest.skip("the marker file is for a per-process cache (no REDIS_URL)")
    url = verify_url(certificate)
    Client().get(url)
    assert os.path.exists(settings.PUBLIC_PAGE_VERSION_FILE)

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(public_cache.os, "write", disk_full)
        Certificate.objects.filter(pk=certificate.pk).update(legal_name="PT Disk Penuh")
        public_cache.public_pages_changed()
        assert not os.path.exists(settings.PUBLIC_PAGE_VERSION_FILE)
        cached, body = served_from_cache(url)
        assert not cached and "PT Disk Penuh" in body
