"""An application from the first click to "awaiting inspection", in a real browser.

The applicant fills the guided flow, uploads the documents and submits; the desk starts the
review, rejects one document and returns the application with a reason; the applicant sees
the reason, uploads a new version and submits again; the desk records the payment, accepts
every document and accepts the application for inspection.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.constants import REQUIRED_DOCUMENT_TYPES, ApplicationState, DocumentType
from applications.models import Application
from tests.applications.factories import PDF_BYTES, ApplicationFactory
from tests.e2e.conftest import login
from tests.factories import OrganizationFactory, StaffFactory, make_applicant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REJECTED_TYPE = DocumentType.SOP_MANUAL
RETURN_REASON = "Please send the SOP manual signed by the director."
DOCUMENT_REASON = "The SOP manual is not signed."


@pytest.fixture
def people(transactional_db):
    organization = OrganizationFactory(legal_name="PT Suara Pelanggan Nusantara")
    # English interface: the login sets each person's language.
    applicant = make_applicant(organization, owner=True, language="en")
    staff = StaffFactory(language="en")
    return applicant, staff


@pytest.fixture
def pdf_files(tmp_path):
    """One small valid PDF per document type, plus the corrected SOP manual."""
    files = {}
    for document_type in [*REQUIRED_DOCUMENT_TYPES, "corrected"]:
        path = tmp_path / f"{document_type}.pdf"
        path.write_bytes(PDF_BYTES)
        files[document_type] = path
    return files


def switch_to(page, live_server, user):
    page.context.clear_cookies()
    login(page, live_server, user.email)


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def success_shown(page):
    assert page.locator(".msg.success").count() >= 1, page.locator(".messages").inner_text()


def upload(page, document_type, path):
    row = page.locator(f"tr[data-type='{document_type}']")
    row.locator("input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    success_shown(page)


def review_document(page, document_type, accept, reason=""):
    row = page.locator(f"tr[data-type='{document_type}']")
    row.locator(f"input[type=radio][value={'accept' if accept else 'reject'}]").check()
    if reason:
        row.locator("textarea").fill(reason)
    # The review is saved with htmx: the row replaces itself and the page keeps its place.
    with page.expect_response(lambda r: "/review/" in r.url and r.request.method == "POST"):
        row.locator("form.review-form button[type=submit]").click()
    page.locator(f"tr[data-type='{document_type}'].reviewed-now").wait_for()
    success_shown(page)


def test_an_application_goes_from_draft_to_awaiting_inspection(
    browser_page, live_server, people, pdf_files
):
    applicant, staff = people
    page = browser_page

    # The applicant starts from the empty dashboard.
    switch_to(page, live_server, applicant)
    assert page.url == f"{live_server.url}{reverse('applications:dashboard')}"
    click_and_wait(page, f"a[href='{reverse('applications:new')}']")
    click_and_wait(page, "main form button[type=submit]")
    application = Application.objects.get(organization=applicant.organization)
    assert "/step/company/" in page.url

    # Company details come prefilled from the organization.
    assert page.input_value("input[name=company_legal_name]") == "PT Suara Pelanggan Nusantara"
    click_and_wait(page, "main form button[type=submit]")
    success_shown(page)

    # Operation: facts and one site.
    assert "/step/operation/" in page.url
    page.fill("input[name=agent_seats]", "30")
    page.check("input[name=direction][value=inbound]")
    page.check("input[name=sourcing][value=in_house]")
    page.fill("textarea[name='sites-0-address']", "Jl. Jenderal Sudirman Kav. 52, Jakarta")
    page.select_option("select[name='sites-0-province']", "dki_jakarta")
    page.fill("input[name='sites-0-agent_seats']", "20")
    # A second site, added with the "Add another site" button (the formset's empty form).
    page.click("#add-site")
    page.fill("textarea[name='sites-1-address']", "Jl. Pemuda 2, Semarang")
    page.select_option("select[name='sites-1-province']", "jawa_tengah")
    page.fill("input[name='sites-1-agent_seats']", "10")
    click_and_wait(page, "main form button[type=submit]:not(#add-site)")
    success_shown(page)

    # Documents: one per required type.
    assert "/step/documents/" in page.url
    for document_type in REQUIRED_DOCUMENT_TYPES:
        upload(page, document_type, pdf_files[document_type])
    assert page.locator("tr[data-type] .badge.warn").count() == 0
    click_and_wait(page, f"a[href$='{reverse('applications:step', args=[application.pk, 'fee'])}']")

    # The fee, in Rupiah with its breakdown, before submitting: base tier plus one extra site.
    assert application.sites.count() == 2
    assert page.locator("table.fee tr").count() == 3
    assert page.locator("[data-fee-total]").inner_text().strip() == "Rp 7.500.000"
    click_and_wait(
        page, f"a[href$='{reverse('applications:step', args=[application.pk, 'review'])}']"
    )
    click_and_wait(
        page, f"form[action='{reverse('applications:submit', args=[application.pk])}'] button"
    )
    success_shown(page)
    assert page.locator("dd[data-state=submitted]").count() == 1
    assert page.locator("[data-invoice-amount]").inner_text().strip() == "Rp 7.500.000"

    # The desk starts the review, rejects the SOP manual and returns the application.
    switch_to(page, live_server, staff)
    assert page.url == f"{live_server.url}{reverse('applications:staff_queue')}"
    detail = reverse("applications:detail", args=[application.pk])
    click_and_wait(page, f"table.queue a[href='{detail}']")
    click_and_wait(page, "form[action$='/start-review/'] button")
    success_shown(page)
    review_document(page, REJECTED_TYPE, accept=False, reason=DOCUMENT_REASON)
    page.fill("textarea[name='return-reason']", RETURN_REASON)
    click_and_wait(page, "form[action$='/return/'] button")
    success_shown(page)
    assert page.locator("dd[data-state=returned]").count() == 1

    # The applicant sees exactly what to fix, replaces the document and submits again.
    switch_to(page, live_server, applicant)
    page.goto(f"{live_server.url}{detail}")
    fix = page.locator("#what-to-fix")
    assert RETURN_REASON in fix.inner_text()
    assert DOCUMENT_REASON in fix.inner_text()
    click_and_wait(page, "#what-to-fix a.button")
    assert "/step/documents/" in page.url
    upload(page, REJECTED_TYPE, pdf_files["corrected"])
    page.goto(f"{live_server.url}{reverse('applications:step', args=[application.pk, 'review'])}")
    click_and_wait(
        page, f"form[action='{reverse('applications:submit', args=[application.pk])}'] button"
    )
    success_shown(page)
    assert page.locator("dd[data-state=submitted]").count() == 1

    # The desk records a payment made at the office (only with its NTPN and a scan of the
    # receipt), accepts every document and then the application.
    switch_to(page, live_server, staff)
    page.goto(f"{live_server.url}{detail}")
    assert page.locator("input[name='payment-reference']").count() == 0
    click_and_wait(page, "#invoice a[href$='/office-payment/']")
    paid_at = timezone.localtime() - datetime.timedelta(minutes=5)
    page.fill("input[name='ntpn']", "0123456789ABCDEF")
    page.fill("input[name='ntb']", "998877")
    page.select_option("select[name='channel']", "teller")
    page.fill("input[name='paid_at']", paid_at.strftime("%Y-%m-%dT%H:%M"))
    page.set_input_files("input[name='receipt_scan']", str(pdf_files["corrected"]))
    click_and_wait(page, "form[enctype='multipart/form-data'] button[type=submit]")
    success_shown(page)
    assert re.search(r"\bPaid\b", page.locator("#invoice").inner_text())
    click_and_wait(page, "form[action$='/start-review/'] button")
    for document_type in REQUIRED_DOCUMENT_TYPES:
        review_document(page, document_type, accept=True)
    click_and_wait(page, "form[action$='/accept/'] button")
    success_shown(page)

    # The applicant's page now says the application awaits its inspection.
    switch_to(page, live_server, applicant)
    page.goto(f"{live_server.url}{detail}")
    state = page.locator("dd[data-state]")
    assert state.get_attribute("data-state") == ApplicationState.AWAITING_INSPECTION
    assert state.inner_text().strip() == "Awaiting inspection"


def _fits_the_phone(page, width=390):
    """No sideways scrolling of the page (wide tables scroll inside .table-wrap) and every
    button and button-like link at least 44px high."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('main button, main a.button, main .btn'))"
        ".filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, (page.url, heights)


def test_the_application_pages_fit_a_phone(phone_page, live_server, people):
    applicant, staff = people
    returned = ApplicationFactory(
        organization=applicant.organization, created_by=applicant, returned=True, staff=staff
    )
    page = phone_page

    switch_to(page, live_server, applicant)
    for url in [
        reverse("applications:dashboard"),
        reverse("applications:detail", args=[returned.pk]),
        reverse("applications:step", args=[returned.pk, "operation"]),
        reverse("applications:step", args=[returned.pk, "documents"]),
        reverse("applications:step", args=[returned.pk, "review"]),
    ]:
        page.goto(f"{live_server.url}{url}")
        _fits_the_phone(page)

    switch_to(page, live_server, staff)
    for url in [
        reverse("applications:staff_queue"),
        reverse("applications:detail", args=[returned.pk]),
    ]:
        page.goto(f"{live_server.url}{url}")
        _fits_the_phone(page)
