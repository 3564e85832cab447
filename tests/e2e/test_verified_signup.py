"""An applicant signs up, confirms the address from the email a real SMTP server received
(aiosmtpd), and only then sees the organization."""

import email
import re

from django.urls import reverse

from registrasi.accounts.models import Organization, User
from tests.certificates.test_keeping_worker import smtp_server  # noqa: F401  (fixture)
from tests.e2e.conftest import browser, browser_page  # noqa: F401

PASSWORD = "a-Long-enough-pass-2026"


def _body(raw: bytes) -> str:
    message = email.message_from_bytes(raw)
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def _fill_signup(page):
    page.fill("input[name=email]", "dewi@suara.test")
    page.fill("input[name=full_name]", "Dewi Lestari")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.fill("input[name=legal_name]", "PT Suara Nusantara")
    page.select_option("select[name=legal_form]", "pt")
    page.fill("input[name=nib]", "9120001234567")
    page.fill("textarea[name=address]", "Jl. Gatot Subroto 12, Jakarta")
    page.select_option("select[name=province]", "dki_jakarta")
    page.fill("input[name=contact_email]", "halo@suara.test")
    page.fill("input[name=contact_phone]", "+62 21 555 1234")
    page.check("input[name=privacy_accepted]")


def test_an_applicant_sees_the_organization_only_after_confirming_the_email(
    browser_page,  # noqa: F811
    live_server,
    settings,
    smtp_server,  # noqa: F811
):
    settings.SITE_URL = live_server.url
    page = browser_page
    page.goto(f"{live_server.url}{reverse('accounts:signup')}")
    _fill_signup(page)
    with page.expect_navigation():
        page.click("main form [type=submit]")
    assert "Check your email" in page.content()

    # Before confirming: no account, no organization, and the organization page asks to log in.
    assert not User.objects.filter(email="dewi@suara.test").exists()
    assert not Organization.objects.filter(nib="9120001234567").exists()
    page.goto(f"{live_server.url}{reverse('accounts:organization')}")
    assert "/accounts/login/" in page.url

    [(recipients, raw)] = smtp_server.messages
    assert recipients == ["dewi@suara.test"]
    link = re.search(r"https?://\S+/accounts/signup/confirm/\S+/", _body(raw)).group(0)
    page.goto(link)
    assert "PT Suara Nusantara" in page.content()
    assert not User.objects.filter(email="dewi@suara.test").exists()  # opening is not confirming
    with page.expect_navigation():
        page.click("main form [type=submit]")

    assert page.url == f"{live_server.url}{reverse('accounts:organization')}"
    assert "9120001234567" in page.content()
    assert Organization.objects.get(nib="9120001234567").memberships.get().is_owner
