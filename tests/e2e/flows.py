"""Steps the browser flows around an inspection share (their cast is tests/e2e/conftest.py's
`people` fixture): logging in as one of them, the application page, uploading a new document
version, resubmitting, scheduling.
"""

from django.urls import reverse

from tests.e2e.conftest import login


def switch_to(page, live_server, user):
    """Log in through the form (ministry staff type their code: tests.e2e.conftest.login)."""
    page.context.clear_cookies()
    login(page, live_server, user.email)


def click_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def success_shown(page):
    assert page.locator(".msg.success").count() >= 1, page.locator("main").inner_text()


def open_application(page, live_server, application):
    page.goto(live_server.url + reverse("applications:detail", args=[application.pk]))


def upload_version(page, document_type, path):
    """Upload the file at `path` in the row of `document_type` on the page shown."""
    row = page.locator(f"tr[data-type='{document_type}']")
    row.locator("input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        row.locator("button[type=submit]").click()


def resubmit_for_inspection(page, live_server, application, note):
    open_application(page, live_server, application)
    page.check("#inspections input[name=confirm]")
    page.fill("#inspections textarea[name=note]", note)
    click_and_wait(page, "#inspections button:has-text('Resubmit for inspection')")


def try_to_schedule(page, live_server, application, inspector, day):
    """Fill and send the scheduling form (09:00-12:00 on `day`); the caller checks the answer."""
    open_application(page, live_server, application)
    click_and_wait(page, "#inspections a:has-text('Schedule inspection')")
    page.select_option("select[name=inspector]", str(inspector.pk))
    page.fill("input[name=date]", day.isoformat())
    page.fill("input[name=start_time]", "09:00")
    page.fill("input[name=end_time]", "12:00")
    click_and_wait(page, "form button[type=submit]:has-text('Schedule inspection')")


def schedule(page, live_server, application, inspector, day):
    try_to_schedule(page, live_server, application, inspector, day)
    success_shown(page)
