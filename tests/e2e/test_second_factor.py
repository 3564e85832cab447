"""A staff member's first login sets up the second factor; later logins ask for a code;
six wrong codes lock the account with a message."""

import base64
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from tests.factories import PASSWORD, StaffFactory
from tests.second_factor import authenticator_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def type_password(page, live_server, email):
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form:has(input[name=password]) [type=submit]")


def type_code(page, code):
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.click("form:has(input[name=code]) [type=submit]")


def app_code(secret, steps_ahead=0):
    """What an authenticator app holding `secret` (as printed, base32) shows."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_a_staff_members_first_login_sets_up_the_second_factor(browser_page, live_server):
    staff = StaffFactory(language="en")  # pages follow the person's language once logged in
    page = browser_page

    type_password(page, live_server, staff.email)
    # Nothing of the portal before the second factor is set up.
    assert reverse("accounts:second_factor_setup") in page.url
    page.goto(f"{live_server.url}{reverse('applications:staff_queue')}")
    assert reverse("accounts:second_factor_setup") in page.url
    assert page.locator(".qr img").is_visible()

    secret = page.locator("code.secret").inner_text()
    type_code(page, app_code(secret))
    assert page.locator("main h1").inner_text() == "Your backup codes"
    assert page.locator(".backup-codes li").count() == 10
    with page.expect_navigation():
        page.click("main a.button")
    assert page.url == f"{live_server.url}{reverse('applications:staff_queue')}"

    with page.expect_navigation():
        page.click("form[action$='/accounts/logout/'] button")
    type_password(page, live_server, staff.email)
    assert reverse("accounts:second_factor_verify") in page.url
    # Codes are single use: this login takes the next one (the app shows it 30 s later).
    type_code(page, app_code(secret, steps_ahead=1))
    assert page.url == f"{live_server.url}{reverse('applications:staff_queue')}"
    assert page.locator("form[action$='/accounts/logout/'] button").count() == 1


def test_six_wrong_codes_lock_the_account_with_a_message(browser_page, live_server):
    staff = StaffFactory(language="en")
    authenticator_for(staff)
    page = browser_page

    type_password(page, live_server, staff.email)
    for _ in range(5):
        type_code(page, "000000")
        assert page.locator(".errorlist").first.is_visible()
    type_code(page, "000000")

    assert page.locator("main h1").inner_text() == "Too many attempts"
    assert "Try again in 15 minutes" in page.locator("main").inner_text()
    page.goto(f"{live_server.url}{reverse('applications:staff_queue')}")
    assert reverse("accounts:login") in page.url
