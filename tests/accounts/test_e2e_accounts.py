"""Sign-up and joining through an invitation, in a real browser on a phone-sized screen."""

import os
import re

import pytest
from django.core import mail
from django.urls import reverse

from registrasi.accounts.models import Membership, Organization, User
from tests.e2e.conftest import browser, browser_page, login, phone_page  # noqa: F401
from tests.factories import make_applicant

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # Playwright's sync API runs an event loop; the ORM needs this flag there (`make test` runs
    # these with `-m e2e` and the flag set). A plain `pytest tests/accounts` leaves them out.
    pytest.mark.skipif(
        not os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE"),
        reason="browser test: run with DJANGO_ALLOW_ASYNC_UNSAFE=true pytest -m e2e",
    ),
]

PASSWORD = "Kuat-Sekali-2026"


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_operator_signs_up_on_a_phone(phone_page, live_server):  # noqa: F811
    page = phone_page
    page.goto(f"{live_server.url}{reverse('accounts:signup')}")
    assert no_sideways_scroll(page)

    page.fill("input[name=email]", "budi@suara.test")
    page.fill("input[name=full_name]", "Budi Santoso")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.fill("input[name=legal_name]", "PT Suara Pelanggan")
    page.select_option("select[name=legal_form]", "pt")
    page.fill("input[name=nib]", "8120000000001")
    page.fill("textarea[name=address]", "Jl. Sudirman 1, Jakarta")
    page.select_option("select[name=province]", "dki_jakarta")
    page.fill("input[name=contact_email]", "cs@suara.test")
    page.fill("input[name=contact_phone]", "+62 21 555 1234")
    page.check("input[name=privacy_accepted]")
    with page.expect_navigation():
        page.click("main form [type=submit]")
    assert no_sideways_scroll(page)

    # Verified sign-up: the account exists once the emailed link is confirmed.
    link = re.search(r"/accounts/signup/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(f"{live_server.url}{link}")
    with page.expect_navigation():
        page.click("main form [type=submit]")
    assert Membership.objects.get(user__email="budi@suara.test").is_owner
    assert Organization.objects.get().nib == "8120000000001"


def test_a_bad_nib_is_shown_on_the_form_on_a_phone(phone_page, live_server):  # noqa: F811
    page = phone_page
    page.goto(f"{live_server.url}{reverse('accounts:signup')}")
    page.fill("input[name=email]", "budi@suara.test")
    page.fill("input[name=nib]", "123")
    with page.expect_navigation():
        page.click("main form [type=submit]")

    assert page.locator("[role=alert]").count() >= 1
    assert page.locator("input[name=nib][aria-invalid=true]").count() == 1
    assert no_sideways_scroll(page)
    assert not User.objects.exists()


def test_an_owner_invites_and_the_invitee_joins_on_a_phone(
    browser_page,  # noqa: F811
    phone_page,  # noqa: F811
    live_server,
):
    owner = make_applicant()
    page = login(browser_page, live_server, owner.email)
    page.goto(f"{live_server.url}{reverse('accounts:invite')}")
    page.fill("input[name=email]", "siti@suara.test")
    with page.expect_navigation():
        page.click("main form [type=submit]")
    assert page.url == f"{live_server.url}{reverse('accounts:members')}"
    assert "siti@suara.test" in page.content()

    path = re.search(r"https?://[^/]+(/accounts/invitation/\S+/)", mail.outbox[-1].body).group(1)
    phone = phone_page
    phone.goto(f"{live_server.url}{path}")
    assert no_sideways_scroll(phone)
    phone.fill("input[name=full_name]", "Siti Aminah")
    phone.fill("input[name=password1]", PASSWORD)
    phone.fill("input[name=password2]", PASSWORD)
    phone.check("input[name=privacy_accepted]")
    with phone.expect_navigation():
        phone.click("main form [type=submit]")

    assert Membership.objects.get(user__email="siti@suara.test").organization == owner.organization
    # The link works once.
    assert phone.goto(f"{live_server.url}{path}").status == 410
