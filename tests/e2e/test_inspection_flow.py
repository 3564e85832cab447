"""Inspections in a real browser.

Staff schedule an inspection; the inspector, on a phone, records one major non-compliance and
submits; the applicant reads the failure and the corrective actions, uploads a new document
version and resubmits; staff schedule again and the second inspection passes. A second test
checks that a reload or a lost connection in the middle of the checklist loses nothing.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications.constants import ApplicationState, DocumentType
from applications.models import Application, DocumentVersion
from applications.services import document_review
from inspections.constants import JAKARTA, InspectionState, Requirement, requirements_for
from inspections.models import Finding, Inspection
from tests.applications.factories import PDF_BYTES
from tests.e2e.conftest import login
from tests.e2e.flows import (
    click_and_wait,
    open_application,
    resubmit_for_inspection,
    schedule,
    success_shown,
    switch_to,
    upload_version,
)
from tests.inspections.factories import awaiting_application, make_inspection

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAJOR = Requirement.DATA_PROTECTION
CORRECTIVE = "Appoint a data protection officer and encrypt call recordings."


def open_first_inspection(page, live_server):
    page.goto(live_server.url + reverse("inspections:schedule"))
    click_and_wait(page, "a:has-text('Open inspection')")


def wait_until_sent(page, inspection):
    """The device copy is removed once the server confirmed the save."""
    key = f"inspection-draft-{inspection.pk}"
    # A function, not an expression string: the page's CSP forbids evaluating strings.
    page.wait_for_function("key => localStorage.getItem(key) === null", arg=key)


def record_and_submit(page, kind, majors=()):
    for requirement in requirements_for(kind):
        result = "major" if requirement in majors else "compliant"
        page.check(f"input[name='result-{requirement}'][value='{result}']")
    page.fill(f"textarea[name='note-{Requirement.BUSINESS_ENTITY}']", "NIB and deed match.")
    page.click("button[data-add-interview]")
    page.locator("input[name=interview_role]").first.fill("Agents")
    page.locator("input[name=interview_number]").first.fill("5")
    if majors:
        page.fill("textarea[name=corrective_actions]", CORRECTIVE)
    click_and_wait(page, "button[name=then][value=submit]")
    expected = "Failed" if majors else "Passed"
    assert page.locator("#outcome").inner_text() == expected
    click_and_wait(page, "form button[type=submit]:has-text('Submit')")
    success_shown(page)
    assert "were submitted on" in page.locator("#read-only-reason").inner_text()
    assert page.locator("#checklist").count() == 0


@pytest.fixture
def early_morning():
    """07:00 in Jakarta: an inspection booked for 09:00 today opens its findings at once
    (findings open on the planned day)."""
    with time_machine.travel(datetime.datetime(2026, 12, 7, 7, 0, tzinfo=JAKARTA), tick=True):
        yield


def test_a_failed_inspection_is_fixed_resubmitted_and_passed(
    early_morning, browser_page, phone_page, live_server, people, tmp_path
):
    organization, applicant, staff, inspector = people
    application = awaiting_application(organization, staff=staff)
    today = timezone.localdate()

    # The desk schedules the inspection.
    switch_to(browser_page, live_server, staff)
    schedule(browser_page, live_server, application, inspector, today)
    inspection = Inspection.objects.get(application=application)
    assert inspection.inspector == inspector

    # The inspector, on a phone: My schedule, then the checklist with one major finding.
    login(phone_page, live_server, inspector.email)
    assert phone_page.locator(f"[data-inspection='{inspection.pk}']").count() == 1
    assert phone_page.locator("a[href^='tel:']").count() >= 1
    open_first_inspection(phone_page, live_server)
    assert phone_page.locator("input[type=file][capture=environment]").count() == 1
    record_and_submit(phone_page, application.kind, majors=[MAJOR])
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.FAILED

    # The applicant reads the failure, uploads a corrected document and resubmits.
    switch_to(browser_page, live_server, applicant)
    open_application(browser_page, live_server, application)
    failed_box = browser_page.locator("#inspections [data-failed]")
    assert CORRECTIVE in failed_box.inner_text()
    click_and_wait(browser_page, "#inspections a:has-text('Upload new versions')")
    corrected = tmp_path / "data-protection-v2.pdf"
    corrected.write_bytes(PDF_BYTES)
    upload_version(browser_page, DocumentType.DATA_PROTECTION_POLICY, corrected)
    success_shown(browser_page)
    assert DocumentVersion.objects.filter(
        document__application=application, original_name="data-protection-v2.pdf"
    ).exists()
    resubmit_for_inspection(
        browser_page, live_server, application, "DPO appointed, recordings encrypted."
    )
    success_shown(browser_page)
    application.refresh_from_db()
    assert application.state == ApplicationState.AWAITING_INSPECTION

    # The desk accepts the new version (scheduling waits for it), schedules again; the second
    # inspection passes.
    new_version = DocumentVersion.objects.get(
        document__application=application, original_name="data-protection-v2.pdf"
    )
    document_review(version=new_version, actor=staff, accepted=True)
    switch_to(browser_page, live_server, staff)
    schedule(browser_page, live_server, application, inspector, today)
    second = Inspection.objects.get(application=application, state=InspectionState.SCHEDULED)
    open_first_inspection(phone_page, live_server)
    assert phone_page.url.endswith(reverse("inspections:detail", args=[second.pk]))
    # The re-inspection carries the history: what failed, what was asked, what was done.
    earlier = phone_page.locator("#earlier-inspections").inner_text()
    assert CORRECTIVE in earlier and "DPO appointed, recordings encrypted." in earlier
    assert phone_page.locator(f"#earlier-inspections [data-new-version='{new_version.pk}']").count()
    record_and_submit(phone_page, application.kind)
    second.refresh_from_db()
    assert second.state == InspectionState.PASSED
    phone_page.goto(live_server.url + reverse("inspections:schedule") + "?tab=done")
    assert phone_page.locator("[data-done]").count() == 2
    application.refresh_from_db()
    assert application.state == ApplicationState.INSPECTION_PASSED

    # Both inspections show in the applicant's history, each with its report.
    switch_to(browser_page, live_server, applicant)
    open_application(browser_page, live_server, application)
    assert browser_page.locator("#inspections li[data-inspection]").count() == 2
    report_url = reverse("inspections:report", args=[second.pk])
    assert browser_page.locator(f"#inspections a[href='{report_url}']").count() == 1
    assert Application.objects.get(pk=application.pk).state == ApplicationState.INSPECTION_PASSED


def test_a_reload_or_a_lost_connection_mid_checklist_loses_nothing(phone_page, live_server, people):
    organization, applicant, staff, inspector = people
    inspection = make_inspection(organization=organization, inspector=inspector, staff=staff)
    login(phone_page, live_server, inspector.email)
    url = live_server.url + reverse("inspections:detail", args=[inspection.pk])
    phone_page.goto(url)
    note = f"textarea[name='note-{Requirement.SOPS}']"

    # Typed but never sent (no change event yet): a reload puts it back and sends it.
    phone_page.fill(note, "SOP binder found in the supervisor's office.")
    assert Finding.objects.get(inspection=inspection, requirement=Requirement.SOPS).note == ""
    phone_page.reload()
    assert phone_page.input_value(note) == "SOP binder found in the supervisor's office."
    wait_until_sent(phone_page, inspection)
    finding = Finding.objects.get(inspection=inspection, requirement=Requirement.SOPS)
    assert finding.note == "SOP binder found in the supervisor's office."

    # Offline: kept on the device, said so, and sent when the connection is back.
    phone_page.context.set_offline(True)
    phone_page.check(f"input[name='result-{Requirement.SOPS}'][value='minor']")
    phone_page.wait_for_selector("#draft-offline", state="visible")
    stored = phone_page.evaluate(f"localStorage.getItem('inspection-draft-{inspection.pk}')")
    assert '"minor"' in stored
    assert Finding.objects.get(pk=finding.pk).result == ""
    phone_page.context.set_offline(False)
    phone_page.wait_for_selector("#draft-offline", state="hidden")
    wait_until_sent(phone_page, inspection)
    assert Finding.objects.get(pk=finding.pk).result == "minor"

    # And a reload after all that shows what the server has.
    phone_page.reload()
    assert phone_page.is_checked(f"input[name='result-{Requirement.SOPS}'][value='minor']")
