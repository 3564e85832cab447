"""Browser tests: Playwright (sync API) drives Debian's Chromium against live_server.

Run them with `DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest -m e2e tests/e2e`: Playwright's sync
API runs an event loop in the test thread, and Django refuses ORM calls there without that flag.
`live_server` empties the database after each test, so each test creates what it needs
(for example `call_command("load_demo_data")`).
"""

import os
from pathlib import Path

import pytest

from tests.factories import (
    PASSWORD,
    InspectorFactory,
    OrganizationFactory,
    StaffFactory,
    make_applicant,
)
from tests.second_factor import authenticator_for, fresh_code_for

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    # Everything under tests/e2e is a browser test, whether or not its module says so.
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)
    # Browser tests last: once Playwright's event loop runs in this thread, Django treats every
    # later ORM call as made from async code, which would break the ordinary tests after them.
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


# One Playwright and one Chromium per test run, however many modules import the `browser`
# fixture (tests outside tests/e2e import it, which defines it again): Playwright's sync API
# cannot start a second time in the same thread while the first is running.
_shared = {}


def _shared_browser():
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _shared["playwright"] = playwright
        _shared["browser"] = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    return _shared["browser"]


def pytest_sessionfinish(session, exitstatus):
    browser = _shared.pop("browser", None)
    if browser is not None:
        browser.close()
        _shared.pop("playwright").stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    # What `DJANGO_ALLOW_ASYNC_UNSAFE=true pytest -m e2e` sets, for a run that forgot it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return _shared_browser()


def _page(browser, locale="en-US", **context_options):
    # Tests read English, the source language; `indonesian_page` checks the default language.
    context = browser.new_context(locale=locale, timezone_id="Asia/Jakarta", **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def browser_page(browser):
    """A desktop page in a fresh context (no cookies shared between tests)."""
    context, page = _page(browser, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


@pytest.fixture
def indonesian_page(browser):
    """A phone-sized page whose browser asks for Indonesian, like most of the portal's users."""
    context, page = _page(browser, locale="id-ID", viewport={"width": 390, "height": 844})
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """A phone-sized touch page, as an inspector on site would use."""
    context, page = _page(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield page
    context.close()


@pytest.fixture
def people(transactional_db):
    """(organization, its owner, a staff officer, an inspector), all reading English: the cast of
    the inspection flows (tests.e2e.flows). A module that needs another cast defines its own."""
    organization = OrganizationFactory(legal_name="PT Suara Pelanggan Nusantara")
    applicant = make_applicant(organization, owner=True, language="en")
    staff = StaffFactory(language="en", full_name="Sari Wulandari")
    inspector = InspectorFactory(language="en", full_name="Agus Pratama")
    return organization, applicant, staff, inspector


def login(page, live_server, email, password=PASSWORD):
    """Log in through the login form, as a person would, and wait for the next page.

    A ministry account types the code of its authenticator (tests.second_factor gives it one
    with a known key when it has none); tests/e2e/test_second_factor.py covers setting one up.
    """
    device = _authenticator_if_required(email)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form:has(input[name=password]) [type=submit]")
    if device is not None and "/accounts/second-factor/verify/" in page.url:
        page.fill("input[name=code]", fresh_code_for(device))
        with page.expect_navigation():
            page.click("form:has(input[name=code]) [type=submit]")
    return page


def _authenticator_if_required(email):
    from registrasi.accounts import second_factor
    from registrasi.accounts.models import User

    user = User.objects.filter(email__iexact=email).first()
    if user is None or not second_factor.required_for(user):
        return None
    return authenticator_for(user)
