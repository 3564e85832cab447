"""certificates.public_cache.PublicPageMiddleware: a stored public page is answered before
the session, CSRF, locale and header middleware run, with the headers they gave it, a CSRF
cookie and token of its own, per language, and the rate limit still counted."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.certificates.test_views import quick_certificate

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
SAME_EVERY_TIME = (
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Content-Language",
    "Content-Type",
    "Cache-Control",
    "ETag",
)


@pytest.fixture
def url(organization):
    return reverse("certificates:verify", args=[quick_certificate(organization).number])


def test_a_stored_page_is_answered_before_the_session_middleware(url):
    first = Client().get(url)
    again = Client().get(url)
    assert hasattr(first.wsgi_request, "session")  # the first went all the way to the view
    assert not hasattr(again.wsgi_request, "session")
    assert again.content.replace(TOKEN.search(again.content.decode()).group(1).encode(), b"") == (
        first.content.replace(TOKEN.search(first.content.decode()).group(1).encode(), b"")
    )
    for header in SAME_EVERY_TIME:
        assert again[header] == first[header], header
    assert "Accept-Language" in again["Vary"] and "Cookie" in again["Vary"]


def test_each_visitor_gets_a_csrf_cookie_matching_the_token_on_the_page(url):
    Client().get(url)
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.get(url)
    assert settings.CSRF_COOKIE_NAME in response.cookies
    token = TOKEN.search(response.content.decode()).group(1)
    switched = visitor.post(
        reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": token, "next": url}
    )
    assert switched.status_code == 302


def test_a_visitor_keeping_their_cookie_keeps_its_secret(url):
    visitor = Client()
    secret = visitor.get(url).cookies[settings.CSRF_COOKIE_NAME].value
    visitor.get(url)
    response = visitor.get(url)  # served by the middleware, the cookie sent with it
    assert not hasattr(response.wsgi_request, "session")
    # Sent again to renew its expiry, as Django's CSRF middleware does, with the same secret.
    assert response.cookies[settings.CSRF_COOKIE_NAME].value == secret


def visitor_in(language):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_each_language_has_its_own_page(url):
    visitor_in("id").get(url)
    visitor_in("id").get(url)  # Indonesian stored with its headers
    english = visitor_in("en")
    english.get(url)
    response = english.get(url)
    assert response["Content-Language"] == "en"
    assert "This certificate is valid today." in response.content.decode()
    indonesian = visitor_in("id").get(url)
    assert indonesian["Content-Language"] == "id"
    assert "This certificate is valid today." not in indonesian.content.decode()


def test_a_conditional_get_is_answered_304_with_the_security_headers(url):
    first = Client().get(url)
    Client().get(url)
    response = Client().get(url, headers={"if-none-match": first["ETag"]})
    assert response.status_code == 304
    assert not hasattr(response.wsgi_request, "session")
    assert response["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_pages_served_by_the_middleware_count_towards_the_rate_limit(url, settings):
    settings.CERTIFICATES_PUBLIC_RATE = "3/m"
    client = Client()
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
