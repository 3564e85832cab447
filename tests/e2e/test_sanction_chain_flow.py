"""Issue 9 in a browser: sanctions follow the certificate.

Staff suspend a certificate and fine it; the holder reports a change; it is inspected and
passes; staff approve it, confirming the sanction they are shown; the new certificate is
suspended with the fine outstanding; /verify/ on the first number walks the chain to the new
one and says "suspended".

The steps between starting the change report and approving it (submission, review, payment,
inspection) have their own browser tests, so here they go through the bare transitions.
"""

import datetime

import pytest
from django.urls import reverse

from applications.models import Application
from certificates.constants import CertificateState, SanctionKind
from certificates.models import Certificate
from tests.certificates.factories import make_certificate, pass_through_transitions
from tests.e2e.conftest import login

# The signing key for the PDFs and the form-submitting helper of the change-report flow.
from tests.e2e.test_change_report_flow import signing_key, submit  # noqa: F401
from tests.factories import OrganizationFactory, StaffFactory, make_applicant
from tests.second_factor import authenticator_for, code_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
REASON = "Customer consent was not recorded on outbound calls."
FINE_REASON = "Calls made outside permitted hours."


def staff_login(page, live_server, staff):
    """Password, then the code of the staff member's authenticator (required of the ministry)."""
    device = authenticator_for(staff)
    login(page, live_server, staff.email)
    if "/second-factor/" in page.url:
        page.fill("[name=code]", code_for(device))
        submit(page, "form:has([name=code])")


def go(page, live_server, name, *args):
    page.goto(f"{live_server.url}{reverse(name, args=args)}")


@pytest.fixture
def holder_page(browser):
    """The holder's own browser (staff stay logged in on theirs)."""
    context = browser.new_context(locale="en-US", timezone_id="Asia/Jakarta")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_a_change_of_a_suspended_and_fined_certificate_stays_suspended_and_fined(
    browser_page, holder_page, live_server, settings
):
    settings.SITE_URL = live_server.url
    organization = OrganizationFactory(legal_name="PT Layanan Suara Nusantara")
    applicant = make_applicant(organization, owner=True)
    staff = StaffFactory()
    old = make_certificate(organization=organization, quick=True, staff=staff)
    page = browser_page

    # Staff suspend the certificate, then fine it, through the forms and their confirmations.
    staff_login(page, live_server, staff)
    go(page, live_server, "certificates:suspend", old.pk)
    page.fill("[name=reason]", REASON)
    submit(page, "form[method=post]:not([action])")
    submit(page, "form:has(input[name=confirm])")
    go(page, live_server, "certificates:fine", old.pk)
    page.fill("[name=amount]", "25000000")
    page.fill("[name=due_date]", (datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    page.fill("[name=reason]", FINE_REASON)
    submit(page, "form[method=post]:not([action])")
    submit(page, "form:has(input[name=confirm])")
    old.refresh_from_db()
    assert old.state == CertificateState.SUSPENDED

    # The holder reads what the suspension means, and reports a change.
    holder = holder_page
    login(holder, live_server, applicant.email)
    go(holder, live_server, "certificates:detail", old.pk)
    assert REASON in holder.locator(".holder-notice").inner_text()
    go(holder, live_server, "certificates:start_follow_up", old.pk, "change")
    assert "stays valid" not in holder.content()
    submit(holder, "form[method=post]:not([action])")
    change = Application.objects.get(basis_certificate=old)

    # Submitted, reviewed, paid, inspected and passed (covered by their own flows).
    change = pass_through_transitions(change, staff=staff)

    # Staff approve: the confirmation shows the sanction and will not go on without the tick.
    go(page, live_server, "applications:detail", change.pk)
    submit(page, f"form[action='{reverse('certificates:approve', args=[change.pk])}']")
    warning = page.locator(".inherited-sanctions").inner_text()
    assert REASON in warning and FINE_REASON in warning
    assert "25.000.000" in warning
    assert page.locator("input[name=sanctions_confirmed][required]").count() == 1
    page.check("input[name=sanctions_confirmed]")
    submit(page, "form:has(input[name=confirm])")
    new = Certificate.objects.get(application=change)
    assert page.url == f"{live_server.url}{reverse('certificates:detail', args=[new.pk])}"

    # The new certificate is suspended, with the fine outstanding on it.
    assert new.state == CertificateState.SUSPENDED
    fine = new.sanctions.get(kind=SanctionKind.FINE)
    assert fine.paid_at is None and fine.amount == 25_000_000
    sanctions = page.locator("#sanctions").inner_text()
    assert "25.000.000" in sanctions and FINE_REASON in sanctions and old.number in sanctions
    page.context.clear_cookies()

    # The public: the first number walks the chain to the new one, which is suspended.
    go(page, live_server, "certificates:verify", old.number)
    steps = page.locator(".chain-steps").inner_text()
    assert old.number in steps and new.number in steps
    assert page.locator(".chain-current .verdict.verdict-suspended").is_visible()
    assert "suspended" in page.locator(".chain-current").inner_text().lower()
