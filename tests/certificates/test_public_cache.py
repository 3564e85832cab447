"""The public pages' cache (certificates.public_cache): served again without rendering, a
suspension shows at once, ETag and 304, nothing cached for a logged-in person, and the
language form of a cached page still carries a CSRF token valid for its visitor."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates import services
from tests.certificates.test_views import quick_certificate

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


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
def test_a_second_visit_is_served_from_the_cache_with_one_query(certificate, page):
    url = verify_url(certificate) if page == "verify" else reverse("certificates:registry")
    first, first_queries = get(Client(), url)
    again, queries = get(Client(), url)
    assert first.status_code == again.status_code == 200
    assert first_queries > 1
    assert queries == 1  # the key's version: the latest certificate change
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
    assert response.status_code == 304 and queries == 1
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
