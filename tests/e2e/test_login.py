"""Every demo account logs in through the form and lands on its own dashboard."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from registrasi.accounts.management.commands.load_demo_data import DEMO_PASSWORD
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_accounts(transactional_db):
    # live_server empties the database after every test, so load the accounts each time.
    call_command("load_demo_data", stdout=StringIO())


@pytest.mark.parametrize(
    ("email", "destination"),
    [
        ("staff@registrasi.test", "applications:staff_queue"),
        ("inspektur@registrasi.test", "inspections:schedule"),
        ("pemilik@nusantara.test", "applications:dashboard"),
        ("pemilik@suarapelanggan.test", "applications:dashboard"),
    ],
)
def test_each_demo_role_lands_on_its_dashboard(
    browser_page, live_server, demo_accounts, email, destination
):
    page = login(browser_page, live_server, email, DEMO_PASSWORD)

    assert page.url == f"{live_server.url}{reverse(destination)}"
    heading = page.locator("main h1").first
    assert heading.is_visible()
    assert heading.inner_text().strip()
    # Logged in: the menu offers to log out and no longer offers to log in.
    assert page.locator("form[action$='/accounts/logout/'] button").count() == 1
    assert page.locator(f"nav a[href='{reverse('accounts:login')}']").count() == 0


def test_a_wrong_password_stays_on_the_login_form(browser_page, live_server, demo_accounts):
    page = login(browser_page, live_server, "staff@registrasi.test", "not-the-password")

    assert page.url.startswith(f"{live_server.url}{reverse('accounts:login')}")
    assert page.locator("input[name=password]").is_visible()
    assert page.locator(".errorlist, .errornote, [role=alert]").count() >= 1


def test_an_inspector_logs_in_on_a_phone(phone_page, live_server, demo_accounts):
    page = login(phone_page, live_server, "inspektur@registrasi.test", DEMO_PASSWORD)

    assert page.url == f"{live_server.url}{reverse('inspections:schedule')}"
    # Nothing wider than the phone's screen: no sideways scrolling on site.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_the_portal_speaks_indonesian_until_switched_to_english(
    indonesian_page, live_server, transactional_db
):
    page = indonesian_page
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("link", name="Daftarkan perusahaan Anda").first.is_visible()

    with page.expect_navigation():
        page.click("form.lang button[value=en]")

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("link", name="Register your company").first.is_visible()
