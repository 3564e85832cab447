"""Error pages say the true cause (issue 15, point 8): a missing permission is a 403 that
blames nothing else; a request over its rate is a 429 page saying how long to wait."""

import re

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django_ratelimit.exceptions import Ratelimited

from registrasi.ratelimits import permission_denied

WAIT = re.compile(r"try\s+again\s+in\s+(\d+)\s+minutes?", re.IGNORECASE)


@override_settings(DEBUG=False)
def test_a_missing_permission_is_a_403_that_does_not_blame_rate_limits(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("applications:staff_queue"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "permission" in body
    assert "too many" not in body.lower() and "too often" not in body.lower()
    assert "Retry-After" not in response


def test_signing_up_too_often_answers_429_with_the_wait(client, db):
    url = reverse("accounts:signup")
    for _ in range(20):
        assert client.post(url, {}).status_code == 200
    response = client.post(url, {})
    body = response.content.decode()
    assert response.status_code == 429
    minutes = int(WAIT.search(body).group(1))
    assert 1 <= minutes <= 60
    assert response["Retry-After"] == str(minutes * 60)
    assert "permission" not in body


def test_the_public_register_past_its_rate_says_how_long_to_wait(client, db, settings):
    settings.CERTIFICATES_PUBLIC_RATE = "1/m"
    url = reverse("certificates:registry")
    assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429
    assert WAIT.search(response.content.decode())
    assert response["Retry-After"] == "60"


def test_a_ratelimited_exception_anywhere_is_a_429_and_a_refusal_a_403(rf, db):
    request = rf.get("/")
    request.user = AnonymousUser()
    assert permission_denied(request, Ratelimited()).status_code == 429
    assert permission_denied(request, PermissionDenied()).status_code == 403


def test_too_many_reset_links_say_so_not_that_login_is_locked(client, applicant, settings):
    url = reverse("accounts:password_reset")
    for n in range(5):
        client.post(url, {"email": applicant.email}, REMOTE_ADDR=f"198.51.100.{n}")
    response = client.post(url, {"email": applicant.email}, REMOTE_ADDR="198.51.100.77")
    body = response.content.decode()
    assert response.status_code == 429
    assert "Too many requests" in body
    assert "Logging in is locked" not in body
    assert response["Retry-After"] == str(int(WAIT.search(body).group(1)) * 60)


def test_a_locked_login_keeps_its_own_page(client, applicant, settings):
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": applicant.email, "password": "wrong"})
    response = client.post(url, {"username": applicant.email, "password": "wrong"})
    assert response.status_code == 429
    assert "Logging in is locked" in response.content.decode()
