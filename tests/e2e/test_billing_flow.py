"""Paying the fee with a billing code, in a real browser (issue 11).

The applicant submits, sees the billing code and downloads the slip, pays in another tab
through the billing simulator (which posts the signed callback over HTTP to the live
server), watches the first tab turn "paid" without reloading (htmx polling), downloads the
receipt; the desk then accepts and schedules the inspection.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.billing.models import BillingPayment
from applications.models import Application
from inspections.models import Inspection
from tests.applications.factories import ApplicationFactory, review_all_documents
from tests.e2e.conftest import login
from tests.factories import InspectorFactory, OrganizationFactory, StaffFactory, make_applicant


@pytest.fixture
def people(transactional_db, settings):
    settings.BILLING_BACKEND = "simulator"
    settings.BILLING_SIMULATOR_FOR_APPLICANTS = True
    organization = OrganizationFactory(legal_name="PT Bayar Tagihan Nusantara")
    applicant = make_applicant(organization, owner=True, language="en")
    staff = StaffFactory(language="en")
    inspector = InspectorFactory(language="en")
    return applicant, staff, inspector


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def download(page, selector):
    with page.expect_download() as info:
        page.click(selector)
    path = info.value.path()
    with open(path, "rb") as handle:
        return handle.read()


def test_an_applicant_pays_with_a_billing_code_and_staff_then_schedule(
    browser_page, live_server, people
):
    applicant, staff, inspector = people
    page = browser_page
    application = ApplicationFactory(created_by=applicant, with_documents=True)
    detail = reverse("applications:detail", args=[application.pk])

    # The applicant submits.
    login(page, live_server, applicant.email)
    page.goto(live_server.url + reverse("applications:step", args=[application.pk, "review"]))
    click_and_wait(
        page, f"form[action='{reverse('applications:submit', args=[application.pk])}'] button"
    )
    page.goto(live_server.url + detail)

    # The billing code, amount, expiry and the slip.
    code = page.locator("[data-billing-code]")
    code.wait_for()
    assert len(code.inner_text().strip()) == 15
    assert "WIB" in page.locator("[data-expires]").inner_text()
    assert download(page, "[data-slip]").startswith(b"%PDF")

    # Pay in another tab, as at a bank; the first tab turns "paid" by itself.
    bank = page.context.new_page()
    bank.goto(live_server.url + page.get_attribute("[data-simulate]", "href"))
    bank.select_option("select[name=channel]", "atm")
    with bank.expect_navigation():
        bank.click("[data-simulator-pay]")
    bank.close()
    page.wait_for_selector("[data-billing-state=paid] [data-ntpn]", timeout=15_000)
    payment = BillingPayment.objects.get()
    assert page.locator("[data-ntpn]").inner_text().strip() == payment.ntpn
    page.wait_for_selector("[data-receipt]", timeout=15_000)
    assert download(page, "[data-receipt]").startswith(b"%PDF")
    assert Application.objects.get(pk=application.pk).invoice.is_paid

    # The desk reviews, accepts and schedules the inspection: the fee no longer stops it.
    services.application_start_review(application=application, actor=staff)
    review_all_documents(application, staff)
    services.application_accept(application=application, actor=staff)
    page.context.clear_cookies()
    login(page, live_server, staff.email)
    page.goto(live_server.url + detail)
    click_and_wait(page, "#inspections a:has-text('Schedule inspection')")
    page.select_option("select[name=inspector]", str(inspector.pk))
    page.fill("input[name=date]", (timezone.localdate() + datetime.timedelta(days=3)).isoformat())
    page.fill("input[name=start_time]", "09:00")
    page.fill("input[name=end_time]", "12:00")
    click_and_wait(page, "form button[type=submit]:has-text('Schedule inspection')")
    assert page.locator(".msg.success").count() >= 1, page.locator("main").inner_text()
    assert Inspection.objects.filter(application=application).count() == 1
