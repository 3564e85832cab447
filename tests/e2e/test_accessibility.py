"""Accessible to all (issue 15, point 10): axe-core sweeps the main pages of every role in
the demo world, on a desktop and on a phone, with a flash message and with form errors, and
fails on any serious or critical violation of WCAG 2.0-2.2 A/AA.

axe-core is vendored (tests/e2e/vendor/axe.min.js, from npm, MPL-2.0) and evaluated through
Playwright's protocol, so the page's Content-Security-Policy stays on while it is checked.

Also here: busy buttons (point 5), a sent form's button shows it is working and the form
cannot be sent twice.
"""

import json
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from applications.constants import ApplicationState
from applications.models import Application
from certificates.constants import CertificateState
from certificates.models import Certificate
from certificates.signing import make_self_signed
from inspections.constants import InspectionState
from inspections.models import Inspection
from registrasi.accounts.management.commands.load_demo_data import DEMO_PASSWORD
from registrasi.accounts.views import LoginView
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
STAFF = "staff@registrasi.test"
INSPECTOR = "inspektur@registrasi.test"
APPLICANT = "pemilik@nusantara.test"


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    make_self_signed(key, cert)
    settings.CERTIFICATE_SIGNING_KEY = str(key)
    settings.CERTIFICATE_SIGNING_CERT = str(cert)
    settings.CERTIFICATE_SIGNING_KEY_PASSPHRASE = ""


@pytest.fixture
def demo_world(transactional_db, settings, live_server):
    settings.SITE_URL = live_server.url
    call_command("load_demo_data", "--world", stdout=StringIO())


def axe_violations(page):
    """Serious and critical violations on the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    # resultTypes: only the violations are worked out in full (passed, incomplete and
    # inapplicable rules keep one node each), which more than halves axe's time per page;
    # the violations found are the same.
    result = page.evaluate(
        "tags => axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        f"{page.url} [{v['impact']}] {v['id']}: {v['help']} -> "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in FAILING_IMPACTS
    ]


class Sweep:
    """Visits pages and keeps what axe found on each."""

    def __init__(self, page, live_server):
        self.page = page
        self.base = live_server.url
        self.found = []
        self.visited = []

    def visit(self, path):
        response = self.page.goto(f"{self.base}{path}")
        assert response.status == 200, (path, response.status)
        self.check()

    def check(self):
        self.visited.append(self.page.url)
        self.found += axe_violations(self.page)

    def log_in(self, email):
        self.page.context.clear_cookies()
        login(self.page, live_server=_Server(self.base), email=email, password=DEMO_PASSWORD)


class _Server:
    def __init__(self, url):
        self.url = url


def public_pages(sweep):
    active = Certificate.objects.filter(state=CertificateState.ACTIVE).first()
    for name in ("home", "certificates:registry", "certificates:verify_form", "terms"):
        sweep.visit(reverse(name))
    sweep.visit(reverse("accessibility"))
    sweep.visit(reverse("accounts:privacy"))
    sweep.visit(reverse("accounts:signup"))
    sweep.visit(reverse("certificates:verify", args=[active.number]))
    sweep.visit(f"{reverse('certificates:registry')}?q={active.nib}")
    # Form errors: a wrong password, an empty sign-up.
    sweep.visit(reverse("accounts:login"))
    sweep.page.fill("input[name=username]", "nobody@example.test")
    sweep.page.fill("input[name=password]", "wrong-password")
    with sweep.page.expect_navigation():
        sweep.page.click("form:has(input[name=password]) [type=submit]")
    sweep.check()
    sweep.visit(reverse("accounts:signup"))
    with sweep.page.expect_navigation():
        sweep.page.locator("main form [type=submit]").last.click()
    sweep.check()


def applicant_pages(sweep):
    sweep.log_in(APPLICANT)
    sweep.check()  # the dashboard it lands on
    returned = Application.objects.get(
        organization__nib="8120104567231", state=ApplicationState.RETURNED
    )
    draft = Application.objects.get(organization__nib="8120104567231", state=ApplicationState.DRAFT)
    certificate = Certificate.objects.get(
        organization__nib="8120104567231", state=CertificateState.ACTIVE
    )
    for path in (
        reverse("applications:detail", args=[returned.pk]),
        reverse("applications:detail", args=[draft.pk]),
        reverse("applications:resume", args=[draft.pk]),
        reverse("certificates:mine"),
        reverse("certificates:detail", args=[certificate.pk]),
        reverse("accounts:organization"),
        reverse("accounts:members"),
        reverse("accounts:my_data"),
    ):
        sweep.visit(path)
    # A flash message: save the profile as it is.
    sweep.visit(reverse("accounts:profile"))
    with sweep.page.expect_navigation():
        sweep.page.locator("main form[method=post] [type=submit]").first.click()
    sweep.check()


def staff_pages(sweep):
    sweep.log_in(STAFF)
    sweep.check()
    under_review = Application.objects.filter(state=ApplicationState.UNDER_REVIEW).first()
    passed = Application.objects.filter(state=ApplicationState.INSPECTION_PASSED).first()
    suspended = Certificate.objects.get(state=CertificateState.SUSPENDED)
    for path in (
        reverse("certificates:desk"),
        reverse("certificates:dashboard"),
        f"{reverse('certificates:search')}?q=Nusantara",
        reverse("applications:detail", args=[under_review.pk]),
        reverse("applications:detail", args=[passed.pk]),
        reverse("applications:walk_in"),
        reverse("inspections:calendar"),
        reverse("certificates:staff_list"),
        reverse("certificates:detail", args=[suspended.pk]),
        reverse("accounts:dispute_list"),
        reverse("failed_emails"),
        reverse("accounts:lockouts"),
    ):
        sweep.visit(path)


def inspector_pages(sweep):
    sweep.log_in(INSPECTOR)
    sweep.check()
    today = Inspection.objects.filter(state=InspectionState.SCHEDULED).order_by("window_start")
    failed = Inspection.objects.filter(state=InspectionState.FAILED).first()
    for inspection in (today.first(), failed):
        sweep.visit(reverse("inspections:detail", args=[inspection.pk]))


def sweep_every_role(page, live_server):
    sweep = Sweep(page, live_server)
    public_pages(sweep)
    applicant_pages(sweep)
    staff_pages(sweep)
    inspector_pages(sweep)
    return sweep


def test_no_serious_violation_on_a_desktop(browser_page, live_server, demo_world):
    sweep = sweep_every_role(browser_page, live_server)

    assert len(sweep.visited) >= 35
    assert sweep.found == [], "\n".join(sweep.found)


def test_no_serious_violation_on_a_phone(phone_page, live_server, demo_world):
    sweep = sweep_every_role(phone_page, live_server)

    assert sweep.found == [], "\n".join(sweep.found)


def test_the_sweep_reports_a_violation(browser_page, live_server, transactional_db):
    """The check itself works: an image without a text alternative is serious."""
    page = browser_page
    page.goto(f"{live_server.url}{reverse('terms')}")
    page.evaluate(
        "() => { const i = document.createElement('img'); i.src = '/static/img/emblem.svg';"
        " document.querySelector('main').append(i); }"
    )

    found = axe_violations(page)

    assert any("image-alt" in line for line in found), found


# Busy buttons (point 5) ------------------------------------------------------------------
def test_a_sent_form_shows_it_is_working_and_cannot_be_sent_twice(
    browser_page, live_server, transactional_db, monkeypatch
):
    """The login answers after four seconds here (the live server runs in this process)."""
    original = LoginView.post

    def slow_post(self, request, *args, **kwargs):
        time.sleep(4)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(LoginView, "post", slow_post)
    page = browser_page
    posts, seen = [], []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.on("console", lambda m: seen.append(m.text) if m.text.startswith("{") else None)
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("input[name=username]", "nobody@example.test")
    page.fill("input[name=password]", "wrong-password")
    # The page reports what happens to its button while the answer is awaited (evaluating in
    # a page that is navigating would wait for the next page).
    page.evaluate(WATCH_THE_BUTTON)

    with page.expect_navigation(timeout=15_000):
        page.locator("form:has(input[name=password]) [type=submit]").click()

    states = [json.loads(text) for text in seen]
    assert {"busy": "true", "disabled": True, "label": "Working…", "note": False} in states
    assert any(state["note"] for state in states)  # a slow answer says so
    assert len(posts) == 1  # sent again by a script after 100 ms: not sent twice
    # The answer (a form error) has its button back.
    button = page.locator("form:has(input[name=password]) [type=submit]")
    assert button.is_enabled() and button.get_attribute("aria-busy") is None


WATCH_THE_BUTTON = """() => {
  const form = document.querySelector("form:has(input[name=password])");
  const button = form.querySelector("[type=submit]");
  const report = () => console.log(JSON.stringify({
    busy: button.getAttribute("aria-busy"), disabled: button.disabled,
    label: button.textContent.trim(), note: !!document.querySelector(".busy-note[role=status]"),
  }));
  new MutationObserver(report).observe(form, {attributes: true, childList: true, subtree: true});
  form.addEventListener("submit", () => setTimeout(() => form.requestSubmit(), 100));
}"""


def test_a_get_form_is_left_alone(browser_page, live_server, transactional_db):
    """Searches are quick and stay as they are (no busy state on GET forms)."""
    page = browser_page
    page.goto(f"{live_server.url}{reverse('certificates:registry')}")
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state()

    assert page.locator(".is-busy").count() == 0
