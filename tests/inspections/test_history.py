"""Re-inspections carry their history (issue 9, item 11).

The inspector of a new inspection sees what the earlier ones found, the corrective actions
required and the applicant's response (the resubmission note and the document versions
uploaded since); the inspector's schedule has a "done" tab with the submitted inspections.
"""

import pytest
from django.urls import reverse

from applications import services as application_services
from applications.constants import DocumentType
from inspections import selectors, services
from inspections.constants import InspectionState
from tests.applications.factories import pdf_upload
from tests.bulk import copies_of_inspection
from tests.factories import InspectorFactory
from tests.inspections.factories import make_inspection, on_planned_day, record_all, window

pytestmark = pytest.mark.usefixtures("english")

NOTE = "Deed re-registered with OSS on 3 December; new privacy policy signed."


@pytest.fixture
def failed(applicant, inspector, staff_user):
    return make_inspection(
        "failed", organization=applicant.organization, inspector=inspector, staff=staff_user
    )


def _fix_and_resubmit(failed, applicant, staff_user):
    """The applicant uploads a new privacy policy and resubmits; staff accept the upload."""
    version = application_services.document_upload(
        application=failed.application,
        actor=applicant,
        document_type=DocumentType.DATA_PROTECTION_POLICY,
        uploaded_file=pdf_upload("privacy-v2.pdf"),
    )
    services.application_resubmit(application=failed.application, actor=applicant, note=NOTE)
    application_services.document_review(version=version, actor=staff_user, accepted=True)
    return version


@pytest.fixture
def reinspection(failed, applicant, staff_user, other_inspector):
    version = _fix_and_resubmit(failed, applicant, staff_user)
    start, end = window(days=2)
    second = services.inspection_schedule(
        application=failed.application,
        actor=staff_user,
        inspector=other_inspector,
        window_start=start,
        window_end=end,
    )
    return second, version


def test_the_reinspection_shows_the_earlier_findings_and_the_applicants_response(
    client, failed, reinspection, other_inspector
):
    second, version = reinspection
    client.force_login(other_inspector)

    page = client.get(reverse("inspections:detail", args=[second.pk])).content.decode()

    assert f'data-earlier="{failed.pk}"' in page
    assert "Major non-compliance" in page
    assert "Register the company&#x27;s current deed with OSS." in page  # corrective actions
    assert "Deed re-registered with OSS on 3 December" in page  # the resubmission note
    assert f'data-new-version="{version.pk}"' in page
    assert reverse("applications:document_download", args=[version.pk]) in page


def test_a_first_inspection_has_no_earlier_history(client, failed, inspector):
    client.force_login(inspector)
    page = client.get(reverse("inspections:detail", args=[failed.pk])).content.decode()
    assert "data-earlier=" not in page


def test_the_history_pairs_each_failure_with_what_followed_it(
    failed, applicant, staff_user, other_inspector, django_assert_num_queries
):
    _fix_and_resubmit(failed, applicant, staff_user)
    start, end = window(days=2)
    second = services.inspection_schedule(
        application=failed.application,
        actor=staff_user,
        inspector=other_inspector,
        window_start=start,
        window_end=end,
    )
    with on_planned_day(second):
        record_all(second, majors=second.requirements[1:2])
        services.findings_save_draft(
            inspection=second, actor=other_inspector, corrective_actions="Train the agents."
        )
        services.inspection_submit(inspection=second, actor=other_inspector)
        services.application_resubmit(application=failed.application, actor=applicant)
        third = make_inspection(application=failed.application, staff=staff_user)

    with django_assert_num_queries(4):  # inspections, findings, resubmissions, versions
        history = selectors.earlier_inspections(inspection=third)

    assert [item.inspection.pk for item in history] == [second.pk, failed.pk]
    assert history[0].response_note == "" and history[0].response is not None
    assert history[0].new_versions == []
    assert history[1].response_note == NOTE
    assert [v.document.document_type for v in history[1].new_versions] == [
        DocumentType.DATA_PROTECTION_POLICY
    ]


def test_another_inspector_cannot_open_the_reinspection(client, reinspection, inspector):
    second, _version = reinspection
    third_party = InspectorFactory()
    for person in (third_party, inspector):
        client.force_login(person)
        assert client.get(reverse("inspections:detail", args=[second.pk])).status_code == 404


# The "done" tab ---------------------------------------------------------------------------
DONE = reverse("inspections:schedule") + "?tab=done"
# session, user, second factor device, groups; then the count and the page of inspections.
DONE_QUERIES = 6


def _submit_many(count, inspector, staff):
    """`count` passed inspections, a day apart: the first through the services, the others
    copies of it (tests.bulk)."""
    first = make_inspection("passed", inspector=inspector, staff=staff, days=1, hour=9)
    slots = [(inspector, *window(days=1 + n, hour=9)) for n in range(1, count)]
    return [first, *copies_of_inspection(first, slots)]


def test_the_done_tab_lists_only_my_submitted_inspections(
    client, inspector, staff_user, other_inspector
):
    mine = make_inspection("failed", inspector=inspector, staff=staff_user)
    upcoming = make_inspection(inspector=inspector, staff=staff_user, days=3)
    theirs = make_inspection("passed", inspector=other_inspector, staff=staff_user, days=4)
    client.force_login(inspector)

    page = client.get(DONE).content.decode()

    assert f'data-done="{mine.pk}"' in page
    assert f'data-done="{upcoming.pk}"' not in page
    assert f'data-done="{theirs.pk}"' not in page
    assert 'aria-current="page">Done' in page


def test_the_done_tab_is_paginated(client, inspector, staff_user):
    done = _submit_many(21, inspector, staff_user)
    client.force_login(inspector)

    first = client.get(DONE).content.decode()
    second = client.get(DONE + "&page=2").content.decode()

    assert first.count("data-done=") == 20 and second.count("data-done=") == 1
    assert f'data-done="{done[0].pk}"' in second  # the earliest submitted comes last
    assert "Page 1 of 2" in first


@pytest.mark.parametrize("count", [3, 25])
def test_the_done_tab_runs_a_fixed_number_of_queries(
    client, inspector, staff_user, count, django_assert_num_queries
):
    _submit_many(count, inspector, staff_user)
    client.force_login(inspector)

    with django_assert_num_queries(DONE_QUERIES):
        response = client.get(DONE)

    assert response.status_code == 200
    assert response.content.decode().count("data-done=") == min(count, 20)


@pytest.mark.parametrize("person", ["applicant", "outsider", "no_role_user"])
def test_people_without_a_schedule_get_a_404(client, request, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(DONE).status_code == 404


def test_staff_are_sent_to_the_calendar(client, staff_user):
    client.force_login(staff_user)
    assert client.get(DONE).url == reverse("inspections:calendar")


def test_submitted_inspections_stay_listed(client, failed, inspector):
    client.force_login(inspector)
    assert failed.state == InspectionState.FAILED
    assert f'data-done="{failed.pk}"' in client.get(DONE).content.decode()
