"""Response headers: a Content-Security-Policy without unsafe-inline, a Permissions-Policy,
and `Cache-Control: private, no-store` on every page for a logged-in person and on private
downloads. Page templates carry no inline style or script (the policy would block them)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.certificates.test_views import quick_certificate

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _directives(response):
    policy = response["Content-Security-Policy"]
    return dict((part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip())


@pytest.mark.parametrize("url_name", ["home", "accounts:login", "certificates:registry"])
def test_public_pages_send_a_strict_content_security_policy(client, url_name):
    response = client.get(reverse(url_name))

    assert response.status_code == 200
    directives = _directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_every_page_sends_a_permissions_policy(client):
    response = client.get("/")

    policy = response["Permissions-Policy"]
    for feature in ["camera=()", "microphone=()", "geolocation=()", "payment=()"]:
        assert feature in policy


@pytest.mark.parametrize(
    ("person", "url_name"),
    [
        ("applicant", "accounts:profile"),
        ("applicant", "applications:dashboard"),
        ("staff_user", "applications:staff_queue"),
        ("inspector", "inspections:schedule"),
    ],
)
def test_pages_for_a_logged_in_person_are_not_stored(client, request, person, url_name):
    client.force_login(request.getfixturevalue(person))

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_certificate_download_is_not_stored(client, member, organization):
    certificate = quick_certificate(organization, with_pdf=True)
    client.force_login(member)

    response = client.get(reverse("certificates:download", args=[certificate.pk]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_public_page_may_be_cached(client):
    response = client.get(reverse("certificates:registry"))

    assert "no-store" not in response.get("Cache-Control", "")


def _page_templates():
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES)
        if "pdf" in relative.parts or "emails" in relative.parts or "email" in relative.parts:
            continue  # rendered to PDF or email, never served to a browser
        yield path


@pytest.mark.parametrize(
    "path", list(_page_templates()), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_page_templates_have_no_inline_style_or_script(path):
    text = path.read_text()

    assert "<style" not in text
    assert not re.search(r"\sstyle=", text)
    assert not re.search(r"<script(?![^>]*\ssrc=)", text)
    assert not re.search(r"\son[a-z]+=", text)
