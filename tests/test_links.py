"""Absolute links point where the portal is served (issue 15, point 4): `make run` passes
its host and port into SITE_URL, production refuses to start without SITE_URL, and the
invitation email and the certificate (printed URL and QR code) follow a non-default port."""

import io
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from certificates.signing import make_self_signed, qr_svg, render_certificate
from registrasi.accounts import services
from registrasi.accounts.constants import MembershipRole
from tests.certificates.factories import make_certificate
from tests.test_production_settings import production, run_check  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parent.parent
SITE = "http://127.0.0.1:8101"


def make_run(*args, **env):
    result = subprocess.run(
        ["make", "-n", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"PATH": "/usr/bin:/bin", **env},
    )
    return [line for line in result.stdout.splitlines() if "manage.py" in line]


def test_make_run_links_on_the_host_and_port_it_serves():
    lines = make_run("PORT=8101")
    serve = next(line for line in lines if "runserver" in line)
    assert serve.endswith("runserver 127.0.0.1:8101")
    assert serve.startswith(f"SITE_URL={SITE} ")
    demo = next(line for line in lines if "load_demo_data" in line)
    assert demo.startswith(f"SITE_URL={SITE} ")


def test_make_run_keeps_a_site_url_it_is_given():
    serve = next(
        line
        for line in make_run("PORT=8101", SITE_URL="https://portal.example")
        if "runserver" in line
    )
    assert serve.startswith("SITE_URL=https://portal.example ")


def test_production_refuses_to_start_without_site_url(run_check):  # noqa: F811
    result = run_check(**production(SITE_URL=None))
    assert result.returncode != 0
    assert "SITE_URL must be set when DJANGO_ENV=production" in result.stderr


def test_production_starts_with_site_url(run_check):  # noqa: F811
    result = run_check(**production())
    assert result.returncode == 0, result.stderr


def test_the_invitation_email_links_to_the_configured_port(
    settings, applicant, organization, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=applicant,
            organization=organization,
            email="new@example.com",
            role=MembershipRole.MEMBER,
        )
    (message,) = mail.outbox
    assert f"{SITE}/accounts/" in message.body
    assert "127.0.0.1:8000" not in message.body


@pytest.fixture
def signing(settings, tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    make_self_signed(key, cert)
    settings.CERTIFICATE_SIGNING_KEY, settings.CERTIFICATE_SIGNING_CERT = str(key), str(cert)


def test_the_certificate_prints_and_encodes_the_configured_port(settings, db, signing):
    settings.SITE_URL = SITE
    certificate = make_certificate()
    rendered = render_certificate(certificate)
    url = f"{SITE}/verify/{certificate.number}/"
    text = " ".join(PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text().split())
    assert url in text
    assert qr_svg(url) in rendered.html
    assert "127.0.0.1:8000" not in rendered.html


def test_the_password_reset_email_links_to_site_url_not_the_requests_host(
    client, settings, applicant
):
    settings.SITE_URL = SITE
    client.post(
        reverse("accounts:password_reset"), {"email": applicant.email}, HTTP_HOST="testserver"
    )
    (message,) = mail.outbox
    assert f"{SITE}/accounts/" in message.body
    assert "testserver" not in message.body
