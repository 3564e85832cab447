"""A ministry officer's overview in a real browser: the queue tabs, an export download, the
dashboard's server-drawn charts and the search box, with the Content-Security-Policy refusing
nothing on these pages."""

from pathlib import Path

import pytest

from applications.constants import ApplicationState
from tests import desk_seed
from tests.e2e.conftest import login
from tests.factories import OrganizationFactory, StaffFactory

pytestmark = pytest.mark.e2e
A = ApplicationState


def _watch_csp(page):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def test_an_officer_works_through_the_queues_dashboard_and_search(live_server, browser_page):
    staff = StaffFactory()
    company = OrganizationFactory(legal_name="PT Café Nusantara")
    desk_seed.applications(company, 2, A.SUBMITTED)
    (passed,) = desk_seed.applications(company, 1, A.INSPECTION_PASSED)
    page = browser_page
    refused = _watch_csp(page)
    login(page, live_server, staff.email)

    page.goto(f"{live_server.url}/desk/")
    assert page.locator("[data-queue=to_review] [data-count]").inner_text() == "2"
    page.click("[data-queue=to_decide]")
    page.wait_for_url("**queue=to_decide**")
    assert page.locator("table.queue tbody tr").count() == 1
    assert passed.reference in page.locator("table.queue").inner_text()
    with page.expect_download() as download:
        page.click("a[href*='format=csv']")
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert passed.reference in content

    page.click("nav a[href='/desk/dashboard/']")
    page.wait_for_url("**/desk/dashboard/")
    assert page.locator("section[data-section=received] svg rect").count() >= 1
    assert page.locator("section[data-section=received] table").is_visible()

    page.click("nav a[href='/desk/search/']")
    page.fill("input[name=q]", "cafe nusantara")
    with page.expect_navigation():
        page.click("form[role=search] [type=submit]")
    assert page.locator("[data-results=applications] tbody tr").count() == 3

    assert refused == []
