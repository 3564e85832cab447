"""An inspection's checklist is fixed when it is scheduled (issue 9, item 7).

A requirement added to the regulation later (here: new registrations must also show a
certificate at the premises) applies to inspections scheduled after it; an inspection already
in flight keeps the list it was scheduled with, so saving and submitting it still work.
"""

import dataclasses

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications import kinds
from applications.constants import ApplicationKind
from inspections import services
from inspections.constants import FindingResult, InspectionState, Requirement
from tests.inspections.factories import awaiting_application, make_inspection

pytestmark = pytest.mark.usefixtures("english")

ADDED = Requirement.CERTIFICATE_DISPLAYED


@pytest.fixture
def add_a_requirement(monkeypatch):
    """Make the checklist of a new registration grow by one item from now on."""

    def add():
        # The kind declaration says what an inspection checks (applications.kinds).
        rules = dataclasses.replace(kinds.NEW, checks_displayed_certificate=True)
        monkeypatch.setitem(kinds.KINDS, ApplicationKind.NEW, rules)

    return add


def _post_every_item(client, inspection, requirements):
    data = {f"result-{r}": FindingResult.COMPLIANT for r in requirements}
    return client.post(reverse("inspections:findings", args=[inspection.pk]), data)


def test_a_requirement_added_after_scheduling_breaks_nothing_in_flight(
    client, applicant, staff_user, inspector, add_a_requirement
):
    inspection = make_inspection(
        "in_progress", organization=applicant.organization, inspector=inspector, staff=staff_user
    )
    scheduled_with = list(inspection.requirements)
    assert ADDED not in scheduled_with

    add_a_requirement()

    client.force_login(inspector)
    page = client.get(reverse("inspections:detail", args=[inspection.pk]))
    assert f'name="result-{ADDED}"' not in page.content.decode()
    # What a browser holding the new checklist would post: the extra field is ignored.
    response = _post_every_item(client, inspection, [*scheduled_with, ADDED])
    assert response.status_code == 302
    submitted = services.inspection_submit(inspection=inspection, actor=inspector)

    assert submitted.state == InspectionState.PASSED
    assert [f.requirement for f in submitted.findings.all()] == scheduled_with


def test_the_service_refuses_an_item_not_on_the_inspections_own_checklist(
    in_progress, inspector, add_a_requirement
):
    add_a_requirement()

    with pytest.raises(ValidationError, match="Not on this inspection's checklist"):
        services.findings_save_draft(
            inspection=in_progress,
            actor=inspector,
            findings={ADDED: {"result": FindingResult.COMPLIANT}},
        )
    assert not in_progress.findings.filter(requirement=ADDED).exists()


def test_an_inspection_scheduled_after_the_change_checks_the_new_item(
    applicant, staff_user, inspector, add_a_requirement
):
    add_a_requirement()
    application = awaiting_application(applicant.organization, staff=staff_user)
    inspection = make_inspection(
        "in_progress", application=application, inspector=inspector, staff=staff_user
    )
    others = {r: {"result": FindingResult.COMPLIANT} for r in inspection.requirements if r != ADDED}
    services.findings_save_draft(inspection=inspection, actor=inspector, findings=others)

    assert ADDED in inspection.requirements
    with pytest.raises(services.ServiceError, match="Still missing"):
        services.inspection_submit(inspection=inspection, actor=inspector)
