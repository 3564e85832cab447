"""A document re-uploaded after a failed inspection blocks scheduling until staff accept it
(issue 9, item 3), in a real browser.

The inspection fails; the applicant uploads version 2 of the privacy policy and resubmits; the
desk sees the application back in its queue under "Documents to review", the page says what
blocks the next step, and scheduling is refused; staff accept version 2 and the inspection is
scheduled.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.constants import ApplicationState, DocumentType, ReviewStatus
from applications.models import Application, DocumentVersion
from inspections.constants import InspectionState
from inspections.models import Inspection
from tests.applications.factories import PDF_BYTES
from tests.e2e.flows import (
    open_application,
    resubmit_for_inspection,
    schedule,
    switch_to,
    try_to_schedule,
    upload_version,
)
from tests.inspections.factories import make_inspection

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PRIVACY = DocumentType.DATA_PROTECTION_POLICY
NOT_REVIEWED = "version 2 has not been reviewed by the ministry yet"


def test_a_document_reuploaded_after_a_failed_inspection_blocks_scheduling_until_accepted(
    browser_page, live_server, people, tmp_path
):
    organization, applicant, staff, inspector = people
    page = browser_page
    failed = make_inspection(
        InspectionState.FAILED, organization=organization, staff=staff, inspector=inspector
    )
    application = Application.objects.get(pk=failed.application_id)
    assert application.state == ApplicationState.INSPECTION_FAILED

    # The applicant uploads version 2 of the privacy policy and resubmits.
    switch_to(page, live_server, applicant)
    open_application(page, live_server, application)
    corrected = tmp_path / "privacy-policy-v2.pdf"
    corrected.write_bytes(PDF_BYTES)
    upload_version(page, PRIVACY, corrected)
    version = DocumentVersion.objects.get(
        document__application=application, original_name="privacy-policy-v2.pdf"
    )
    assert (version.number, version.review_status) == (2, ReviewStatus.PENDING)
    resubmit_for_inspection(page, live_server, application, "Privacy policy rewritten and signed.")
    application.refresh_from_db()
    assert application.state == ApplicationState.AWAITING_INSPECTION
    # The applicant's page says what the inspection waits for.
    assert NOT_REVIEWED in page.locator("#blockers").inner_text()

    # The desk: back in the queue as "documents to review"; the page names the blocker.
    switch_to(page, live_server, staff)
    page.goto(live_server.url + reverse("applications:staff_queue") + "?state=to_review")
    queue_row = page.locator(f"tr:has(a:has-text('{application.reference}'))")
    assert queue_row.locator("[data-to-review]").count() == 1
    open_application(page, live_server, application)
    assert NOT_REVIEWED in page.locator("#blockers").inner_text()

    # Scheduling now is refused, and nothing is booked.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    try_to_schedule(page, live_server, application, inspector, tomorrow)
    assert NOT_REVIEWED in page.locator("main").inner_text()
    assert not Inspection.objects.filter(
        application=application, state=InspectionState.SCHEDULED
    ).exists()
    application.refresh_from_db()
    assert application.state == ApplicationState.AWAITING_INSPECTION

    # Staff accept version 2 on the application page; the blocker is gone.
    open_application(page, live_server, application)
    review_row = page.locator(f"tr[data-type='{PRIVACY}']")
    review_row.locator("input[value=accept]").check()
    # Saved with htmx: the row replaces itself, the blockers update in place.
    with page.expect_response(lambda r: "/review/" in r.url and r.request.method == "POST"):
        review_row.locator("button:has-text('Save review')").click()
    page.locator(f"tr[data-type='{PRIVACY}'].reviewed-now").wait_for()
    version.refresh_from_db()
    assert version.review_status == ReviewStatus.ACCEPTED
    assert page.locator("#blockers").count() == 0

    # Now the inspection is scheduled.
    schedule(page, live_server, application, inspector, tomorrow)
    application.refresh_from_db()
    assert application.state == ApplicationState.INSPECTION_SCHEDULED
    assert Inspection.objects.filter(
        application=application, state=InspectionState.SCHEDULED
    ).exists()
