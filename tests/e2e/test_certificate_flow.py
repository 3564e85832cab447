"""Issue 5 in a browser: staff approve a passed application, the applicant downloads the signed
certificate, the public verifies it, staff revoke it and the public sees it revoked.

Selectors avoid visible text where they can, so the test holds in Indonesian and in English.
"""

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation

from certificates.models import Certificate
from certificates.signing import (
    TEMPLATE,
    certificate_context,
    make_self_signed,
    qr_svg,
    signature_is_valid,
    verification_url,
)
from tests.certificates.factories import passed_application
from tests.e2e.conftest import login
from tests.factories import OrganizationFactory, StaffFactory, make_applicant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    make_self_signed(key, cert)
    settings.CERTIFICATE_SIGNING_KEY = str(key)
    settings.CERTIFICATE_SIGNING_CERT = str(cert)
    settings.CERTIFICATE_SIGNING_KEY_PASSPHRASE = ""


@pytest.fixture
def site_url(settings, live_server):
    # The QR code and the verification links point at this test's server.
    settings.SITE_URL = live_server.url
    return live_server.url


def log_out(page):
    page.context.clear_cookies()


def submit(page, form_selector):
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()


def signed_by_the_portal(data):
    # pyHanko's validation calls asyncio.run(), which cannot run inside Playwright's event
    # loop in this thread: validate in a worker thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(signature_is_valid, data).result()


def id_date(value):
    with translation.override("id"):
        return formats.date_format(value, "j F Y")


def test_approve_download_verify_and_revoke(browser_page, live_server, site_url):
    organization = OrganizationFactory(legal_name="PT Suara Pelanggan Nusantara")
    applicant = make_applicant(organization, owner=True)
    staff = StaffFactory()
    application = passed_application(organization, staff=staff)
    page = browser_page

    # Staff approve on the application page, through the confirmation step.
    login(page, live_server, staff.email)
    page.goto(f"{live_server.url}{reverse('applications:detail', args=[application.pk])}")
    approve_form = f"form[action='{reverse('certificates:approve', args=[application.pk])}']"
    submit(page, approve_form)
    assert Certificate.objects.filter(application=application).count() == 0
    submit(page, "form:has(input[name=confirm])")
    certificate = Certificate.objects.get(application=application)
    assert page.url == f"{live_server.url}{reverse('certificates:detail', args=[certificate.pk])}"
    assert page.locator(".msg.success").count() == 1

    # The applicant finds it under "my certificates" and downloads the signed PDF (tasks run
    # eagerly in tests, so it is ready by now; the "being made" state has its view test).
    log_out(page)
    login(page, live_server, applicant.email)
    page.goto(f"{live_server.url}{reverse('certificates:mine')}")
    with page.expect_navigation():
        page.locator(
            f"a[href='{reverse('certificates:detail', args=[certificate.pk])}']"
        ).first.click()
    assert page.locator("#pdf-status.ready").is_visible()
    assert page.locator("#pdf-status[hx-trigger]").count() == 0
    with page.expect_download() as download_info:
        page.locator(
            f"#pdf-status a[href='{reverse('certificates:download', args=[certificate.pk])}']"
        ).click()
    data = Path(download_info.value.path()).read_bytes()

    certificate.refresh_from_db()
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    assert certificate.number in text
    assert "PT Suara Pelanggan Nusantara" in text
    assert id_date(certificate.issued_on) in text
    assert id_date(certificate.expires_on) in text
    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    assert signed_by_the_portal(data)

    # The QR code printed on it encodes this certificate's public verification page: the
    # certificate's HTML (what WeasyPrint printed) holds exactly segno's code for that URL.
    url = verification_url(certificate.number)
    assert url == f"{live_server.url}{reverse('certificates:verify', args=[certificate.number])}"
    with translation.override("id"):
        printed = render_to_string(TEMPLATE, certificate_context(certificate))
    assert qr_svg(url) in printed

    # The public (no login) sees it valid.
    log_out(page)
    page.goto(url)
    assert page.locator(".verdict.verdict-valid").is_visible()
    assert certificate.number in page.content()

    # Staff revoke it, with the reason and the final warning acknowledged.
    login(page, live_server, staff.email)
    page.goto(f"{live_server.url}{reverse('certificates:revoke', args=[certificate.pk])}")
    page.fill("textarea[name=reason]", "Operating without the SOPs it declared.")
    page.check("input[name=understood]")
    submit(page, "form:has(textarea[name=reason])")
    submit(page, "form:has(input[name=confirm])")
    assert page.url == f"{live_server.url}{reverse('certificates:detail', args=[certificate.pk])}"
    certificate.refresh_from_db()
    assert certificate.state == "revoked"

    # The public verification page now says revoked.
    log_out(page)
    page.goto(url)
    assert page.locator(".verdict.verdict-revoked").is_visible()
    assert page.locator(".verdict.verdict-valid").count() == 0


def test_the_public_pages_fit_a_phone(phone_page, live_server, site_url):
    from tests.certificates.test_views import quick_certificate

    certificate = quick_certificate(OrganizationFactory())
    for path in (
        reverse("certificates:verify_form"),
        reverse("certificates:verify", args=[certificate.number]),
        reverse("certificates:registry"),
    ):
        phone_page.goto(f"{live_server.url}{path}")
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390, path
