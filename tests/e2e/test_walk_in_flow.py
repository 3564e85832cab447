"""A walk-in application from the counter to the certificate, in a real browser (issue 12).

An officer registers a company that came to the office, enters its application on its
behalf through the same steps with scanned documents, and records the payment made at the
counter; it appears in the work queue. ANOTHER officer starts the review, accepts each
document inline (the page does not reload), accepts the application and schedules the
inspection with the assignment help (the inspector covering the province is listed first).
The inspection passes (its own browser test covers the inspector's pages); the officer who
entered the application is not offered the approval, the other approves it from the top of
the decision page. The company's contact accepts the emailed invitation as the organization's
owner and sees the certificate.
"""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.constants import REQUIRED_DOCUMENT_TYPES, ApplicationState, ReviewStatus
from applications.models import Application, DocumentVersion
from certificates.models import Certificate
from inspections import services as inspection_services
from inspections.models import Inspection, InspectorArea
from registrasi.accounts.constants import MembershipRole, Province
from registrasi.accounts.models import User
from tests.applications.factories import PDF_BYTES
from tests.e2e.conftest import login

# The signing key for the certificate's PDF.
from tests.e2e.test_change_report_flow import signing_key  # noqa: F401
from tests.factories import PASSWORD, InspectorFactory, StaffFactory
from tests.inspections.factories import record_all

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NIB = "8120000000123"
CONTACT = "direktur@suarapelanggan.test"
NTPN = "0A1B2C3D4E5F6789"


@pytest.fixture
def people(transactional_db, settings, live_server):
    settings.SITE_URL = live_server.url
    settings.BILLING_BACKEND = "simulator"
    entering = StaffFactory(language="en", full_name="Sari Wulandari")
    deciding = StaffFactory(language="en", full_name="Rina Kusuma")
    elsewhere = InspectorFactory(language="en", full_name="Ahmad Bali")
    covering = InspectorFactory(language="en", full_name="Yusuf Jakarta")
    InspectorArea.objects.create(inspector=elsewhere, province=Province.BALI)
    InspectorArea.objects.create(inspector=covering, province=Province.DKI)
    return entering, deciding, covering


@pytest.fixture
def second_page(browser):
    """Another person's own browser."""
    context = browser.new_context(locale="en-US", timezone_id="Asia/Jakarta")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def scans(tmp_path):
    files = {}
    for document_type in [*REQUIRED_DOCUMENT_TYPES, "receipt"]:
        path = tmp_path / f"scan-{document_type}.pdf"
        path.write_bytes(PDF_BYTES)
        files[document_type] = path
    return files


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.locator(selector).first.click()


def success_shown(page):
    assert page.locator(".msg.success").count() >= 1, page.locator("main").inner_text()[:2000]


def go(page, live_server, name, *args, query=""):
    page.goto(f"{live_server.url}{reverse(name, args=args)}{query}")


def enter_at_the_office(page, live_server, scans):
    """The officer registers the company and goes through the applicant's steps for it."""
    go(page, live_server, "applications:walk_in")
    page.fill("input[name=nib]", NIB)
    page.fill("input[name=legal_name]", "PT Suara Pelanggan Nusantara")
    page.select_option("select[name=legal_form]", "pt")
    page.fill("textarea[name=address]", "Jl. Gatot Subroto No. 1, Jakarta Selatan")
    page.select_option("select[name=province]", Province.DKI)
    page.fill("input[name=contact_email]", CONTACT)
    page.fill("input[name=contact_phone]", "+62 21 5551234")
    click_and_wait(page, "#walk-in-form button[type=submit]")
    success_shown(page)
    assert "/step/company/" in page.url
    application = Application.objects.get(organization__nib=NIB)

    # The same steps as online: company (prefilled), operation, documents, fee, submit.
    assert page.input_value("input[name=company_legal_name]") == "PT Suara Pelanggan Nusantara"
    click_and_wait(page, "main form button[type=submit]")
    page.fill("input[name=agent_seats]", "20")
    page.check("input[name=direction][value=inbound]")
    page.check("input[name=sourcing][value=in_house]")
    page.fill("textarea[name='sites-0-address']", "Jl. Gatot Subroto No. 1, Jakarta Selatan")
    page.select_option("select[name='sites-0-province']", Province.DKI)
    page.fill("input[name='sites-0-agent_seats']", "20")
    click_and_wait(page, "main form button[type=submit]:not(#add-site)")
    assert "/step/documents/" in page.url
    for document_type in REQUIRED_DOCUMENT_TYPES:
        row = page.locator(f"tr[data-type='{document_type}']")
        row.locator("input[type=file]").set_input_files(str(scans[document_type]))
        with page.expect_navigation():
            row.locator("button[type=submit]").click()
        success_shown(page)
    go(page, live_server, "applications:step", application.pk, "review")
    submit_url = reverse("applications:submit", args=[application.pk])
    click_and_wait(page, f"form[action='{submit_url}'] button")
    success_shown(page)
    return Application.objects.get(pk=application.pk)


def record_counter_payment(page, scans):
    """The payment made at the counter, with its NTPN and the scanned receipt."""
    page.wait_for_selector("[data-billing-code]", timeout=15_000)
    click_and_wait(page, "#invoice a[href*='office-payment']")
    page.fill("input[name=ntpn]", NTPN)
    page.select_option("select[name=channel]", "teller")
    paid_at = timezone.localtime() - datetime.timedelta(minutes=10)
    page.fill("input[name=paid_at]", paid_at.strftime("%Y-%m-%dT%H:%M"))
    page.set_input_files("input[name=receipt_scan]", str(scans["receipt"]))
    click_and_wait(page, "main form[method=post] button[type=submit]")
    success_shown(page)


def review_inline(page, document_type):
    """Accept one document: htmx replaces its row; the page does not reload."""
    row = page.locator(f"tr[data-type='{document_type}']")
    row.locator("input[type=radio][value=accept]").check()
    with page.expect_response(lambda r: "/review/" in r.url and r.request.method == "POST"):
        row.locator("form.review-form button[type=submit]").click()
    page.locator(f"tr[data-type='{document_type}'].reviewed-now").wait_for()


def schedule_today(page, live_server, application):
    """Through the decision page's "Schedule" action; the covering inspector comes first."""
    click_and_wait(page, "[data-decision=schedule] a.button")
    first = page.locator("#assignment-help tr[data-inspector]").first
    assert "Yusuf Jakarta" in first.inner_text()
    assert first.get_attribute("data-recommended") is not None
    assert (
        page.locator("select[name=inspector] option").first.inner_text().startswith("Yusuf Jakarta")
    )
    page.fill("input[name=date]", timezone.localdate().isoformat())
    page.fill("input[name=start_time]", "00:00")
    page.fill("input[name=end_time]", "23:59")
    # The help is refreshed for the window (htmx); the covering inspector stays chosen.
    page.locator("#assignment-help").wait_for()
    click_and_wait(page, "form button[type=submit]:has-text('Schedule inspection')")
    success_shown(page)


def inspection_passes(application, inspector):
    inspection = Inspection.objects.get(application=application)
    assert inspection.inspector == inspector
    record_all(inspection)
    inspection_services.inspection_submit(inspection=inspection, actor=inspector)


def invitation_link():
    sent = [m for m in mail.outbox if CONTACT in m.to]
    assert len(sent) == 1, [m.to for m in mail.outbox]
    return re.search(r"https?://\S+/invitation/\S+/", sent[0].body).group(0)


def test_a_walk_in_goes_from_the_counter_to_the_certificate(
    browser_page, second_page, browser, live_server, people, scans
):
    entering, deciding, covering = people
    page = browser_page

    # The officer at the counter: the company, its application, the scans, the payment.
    login(page, live_server, entering.email)
    application = enter_at_the_office(page, live_server, scans)
    assert application.state == ApplicationState.SUBMITTED
    assert application.entered_by == entering
    assert "Sari Wulandari" in page.locator("dd.entered-by").inner_text()
    record_counter_payment(page, scans)
    assert Application.objects.get(pk=application.pk).invoice.is_paid

    # It waits in the work queue as submitted, for review.
    go(page, live_server, "applications:staff_queue")
    detail = reverse("applications:detail", args=[application.pk])
    assert page.locator(f"tr[data-state=submitted]:has(a[href='{detail}'])").count() == 1

    # Another officer reviews: start, each document inline, accept.
    other = second_page
    login(other, live_server, deciding.email)
    other.goto(live_server.url + detail)
    assert other.locator("[data-decision]").first.get_attribute("data-decision") == "start_review"
    click_and_wait(other, "[data-decision=start_review] button[type=submit]")
    success_shown(other)
    other.evaluate("window.stillTheSamePage = true")
    for document_type in REQUIRED_DOCUMENT_TYPES:
        review_inline(other, document_type)
    assert other.evaluate("window.stillTheSamePage === true")  # no reload
    assert other.url == live_server.url + detail
    assert "6 of 6 accepted" in other.locator("[data-documents-summary]").inner_text()
    assert set(
        DocumentVersion.objects.filter(document__application=application).values_list(
            "review_status", flat=True
        )
    ) == {ReviewStatus.ACCEPTED}
    click_and_wait(other, "[data-decision=accept] button[type=submit]")
    success_shown(other)

    # Scheduling, with the inspector who covers DKI Jakarta and is free listed first.
    schedule_today(other, live_server, application)
    inspection_passes(application, covering)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.INSPECTION_PASSED

    # The officer who entered it may not approve it (separation of duties).
    page.goto(live_server.url + detail)
    assert page.locator("[data-separation]").is_visible()
    assert page.locator("[data-decision=approve]").count() == 0

    # The other officer approves from the top of the decision page.
    other.goto(live_server.url + detail)
    first = other.locator("[data-decision]").first
    assert first.get_attribute("data-decision") == "approve"
    top = first.bounding_box()["y"]
    assert top < other.locator("#documents").bounding_box()["y"]
    click_and_wait(other, "[data-decision=approve] button[type=submit]")
    click_and_wait(other, "form:has(input[name=confirm]) button[type=submit]")
    certificate = Certificate.objects.get(application=application)
    assert other.url == live_server.url + reverse("certificates:detail", args=[certificate.pk])

    # The company's contact accepts the invitation as owner and sees the certificate.
    context = browser.new_context(locale="en-US", timezone_id="Asia/Jakarta")
    contact = context.new_page()
    try:
        contact.goto(invitation_link())
        contact.fill("input[name=full_name]", "Budi Direktur")
        contact.fill("input[name=password1]", PASSWORD)
        contact.fill("input[name=password2]", PASSWORD)
        contact.check("input[name=privacy_accepted]")
        click_and_wait(contact, "main form[method=post] button[type=submit]")
        owner = User.objects.get(email=CONTACT)
        assert owner.membership.role == MembershipRole.OWNER
        assert owner.membership.organization_id == application.organization_id
        go(contact, live_server, "certificates:mine")
        assert certificate.number in contact.locator("main").inner_text()
        contact.goto(live_server.url + detail)
        assert "Sari Wulandari" in contact.locator("dd.entered-by").inner_text()
        assert certificate.number in contact.locator("#certificate").inner_text()
    finally:
        context.close()
