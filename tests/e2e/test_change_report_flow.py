"""Issue 6 in a browser: an organization with an active certificate reports a change of
address, it is inspected and approved, and the public verification page shows the reissued
certificate with the new address (and the old number points at it).

The applicant starts the change report and edits the address in the applications UI; the
steps between (submission, review, payment, inspection) have their own browser tests, so
here they go through the bare transitions; staff approve in the browser.
"""

import pytest
from django.urls import reverse

from applications import kinds
from applications.models import Application
from certificates.models import Certificate
from certificates.signing import make_self_signed
from tests.certificates.factories import make_certificate, pass_through_transitions
from tests.e2e.conftest import login
from tests.factories import OrganizationFactory, StaffFactory, make_applicant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NEW_ADDRESS = "Jl. Jenderal Gatot Subroto Kav. 52, Jakarta Selatan"


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    make_self_signed(key, cert)
    settings.CERTIFICATE_SIGNING_KEY = str(key)
    settings.CERTIFICATE_SIGNING_CERT = str(cert)
    settings.CERTIFICATE_SIGNING_KEY_PASSPHRASE = ""


def submit(page, form_selector):
    with page.expect_navigation():
        page.locator(f"{form_selector} button[type=submit]").first.click()


def test_a_change_of_address_is_reissued_and_verifiable(browser_page, live_server, settings):
    settings.SITE_URL = live_server.url
    organization = OrganizationFactory(legal_name="PT Layanan Suara Andalas")
    applicant = make_applicant(organization, owner=True)
    staff = StaffFactory(language="en")  # the test reads English pages
    old = make_certificate(organization=organization, quick=True, staff=staff)
    page = browser_page

    # The applicant reports the change from the applications UI.
    login(page, live_server, applicant.email)
    start = reverse("certificates:start_follow_up", args=[old.pk, kinds.CHANGE.value])
    page.goto(f"{live_server.url}{start}")
    submit(page, "form[method=post]:not([action])")
    change = Application.objects.get(basis_certificate=old)
    assert page.url.endswith(reverse("applications:step", args=[change.pk, "company"]))
    page.fill("[name=company_address]", NEW_ADDRESS)
    submit(page, "form[method=post]:not([action])")
    change.refresh_from_db()
    assert change.company_address == NEW_ADDRESS
    page.context.clear_cookies()

    # Submitted, reviewed, paid and inspected (covered by their own flows).
    change = pass_through_transitions(change, staff=staff)

    # Until approval the current certificate stays valid.
    page.goto(f"{live_server.url}{reverse('certificates:verify', args=[old.number])}")
    assert page.locator(".verdict.verdict-valid").is_visible()

    # Staff approve on the application page, through the confirmation step.
    login(page, live_server, staff.email)
    page.goto(f"{live_server.url}{reverse('applications:detail', args=[change.pk])}")
    submit(page, f"form[action='{reverse('certificates:approve', args=[change.pk])}']")
    # The confirmation says what approving a change report does: same expiry, not five years.
    assert "keeps its expiry date" in page.locator(".approval-effect").inner_text()
    submit(page, "form:has(input[name=confirm])")
    new = Certificate.objects.get(application=change)
    assert page.url == f"{live_server.url}{reverse('certificates:detail', args=[new.pk])}"
    page.context.clear_cookies()

    # The public: the old number is superseded and links to the reissued certificate ...
    page.goto(f"{live_server.url}{reverse('certificates:verify', args=[old.number])}")
    assert page.locator(".verdict.verdict-superseded").is_visible()
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('certificates:verify', args=[new.number])}']").first.click()
    # ... which is valid, until the same day, with the new address.
    assert page.locator(".verdict.verdict-valid").is_visible()
    assert NEW_ADDRESS in page.locator(".verdict .address").inner_text()
    assert new.number in page.content()
    old.refresh_from_db()
    assert new.expires_on == old.expires_on and old.state == "superseded"
    organization.refresh_from_db()
    assert organization.address == NEW_ADDRESS
