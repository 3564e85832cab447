"""Inspection pages: who may open them, and what each form does with the services."""

import datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape

from applications.constants import ApplicationState
from applications.models import Application, DocumentVersion
from inspections import services
from inspections.constants import FindingResult, InspectionState, Requirement
from inspections.forms import JAKARTA
from inspections.models import EvidencePhoto, Finding, Inspection, Interview, ScheduleChange
from tests.factories import InspectorFactory
from tests.inspections.factories import (
    HTML_BYTES,
    awaiting_application,
    make_inspection,
    png_upload,
    record_all,
    window,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def other_inspector(db):
    return InspectorFactory()


@pytest.fixture
def in_progress(organization, applicant, inspector, staff_user):
    """An inspection of `organization` under way, with one photo."""
    inspection = make_inspection(
        "in_progress", organization=organization, inspector=inspector, staff=staff_user
    )
    services.evidence_add(inspection=inspection, actor=inspector, uploaded_file=png_upload())
    return Inspection.objects.get(pk=inspection.pk)


@pytest.fixture
def scheduled(organization, applicant, inspector, staff_user):
    return make_inspection(organization=organization, inspector=inspector, staff=staff_user)


@pytest.fixture
def failed(organization, applicant, inspector, staff_user):
    return make_inspection(
        "failed", organization=organization, inspector=inspector, staff=staff_user
    )


@pytest.fixture
def fixed_now():
    with time_machine.travel(datetime.datetime(2026, 12, 1, 8, 0, tzinfo=JAKARTA), tick=True):
        yield


# --- Who may open what ----------------------------------------------------------------------

# (url name, method, the fixture the URL is built from, the people who get a 404)
INSPECTOR_ONLY = ["staff_user", "other_inspector", "applicant", "outsider", "no_role_user"]
MINISTRY = ["other_inspector", "applicant", "member", "outsider", "no_role_user"]
STAFF_ONLY = ["inspector", "applicant", "outsider", "no_role_user"]
CASES = [
    ("inspections:detail", "get", "in_progress", MINISTRY),
    ("inspections:findings", "post", "in_progress", INSPECTOR_ONLY),
    ("inspections:evidence", "post", "in_progress", INSPECTOR_ONLY),
    ("inspections:submit", "get", "in_progress", INSPECTOR_ONLY),
    ("inspections:submit", "post", "in_progress", INSPECTOR_ONLY),
    ("inspections:evidence_download", "get", "photo", MINISTRY),
    ("inspections:report", "get", "failed", ["other_inspector", "outsider", "no_role_user"]),
    ("inspections:reschedule", "get", "scheduled", STAFF_ONLY),
    ("inspections:reschedule", "post", "scheduled", STAFF_ONLY),
    ("inspections:cancel", "get", "scheduled", STAFF_ONLY),
    ("inspections:cancel", "post", "scheduled", STAFF_ONLY),
    ("inspections:create", "get", "awaiting", STAFF_ONLY),
    ("inspections:create", "post", "awaiting", STAFF_ONLY),
    ("inspections:resubmit", "get", "failed_application", ["staff_user", "inspector", "outsider"]),
    ("inspections:resubmit", "post", "failed_application", ["staff_user", "inspector", "outsider"]),
]


def _target(request, kind):
    if kind == "photo":
        return request.getfixturevalue("in_progress").photos.get().pk
    if kind == "awaiting":
        return awaiting_application(request.getfixturevalue("organization")).pk
    if kind == "failed_application":
        return request.getfixturevalue("failed").application_id
    return request.getfixturevalue(kind).pk


@pytest.mark.parametrize(
    ("name", "method", "kind", "person"),
    [(n, m, k, p) for n, m, k, people in CASES for p in people],
)
def test_it_answers_404_to_people_the_page_is_not_for(client, request, name, method, kind, person):
    url = reverse(name, args=[_target(request, kind)])
    client.force_login(request.getfixturevalue(person))
    response = getattr(client, method)(url, {})
    assert response.status_code == 404
    assert Inspection.objects.filter(state=InspectionState.CANCELLED).count() == 0


@pytest.mark.parametrize(
    ("name", "method", "kind", "person"),
    [(n, m, k, p) for n, m, k, people in CASES for p in people[:1]],
)
def test_it_sends_anonymous_visitors_to_the_login_page(client, request, name, method, kind, person):
    url = reverse(name, args=[_target(request, kind)])
    response = getattr(client, method)(url, {})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    ("name", "kind", "person"),
    [
        ("inspections:detail", "in_progress", "inspector"),
        ("inspections:detail", "in_progress", "staff_user"),
        ("inspections:submit", "in_progress", "inspector"),
        ("inspections:evidence_download", "photo", "inspector"),
        ("inspections:evidence_download", "photo", "staff_user"),
        ("inspections:reschedule", "scheduled", "staff_user"),
        ("inspections:cancel", "scheduled", "staff_user"),
        ("inspections:create", "awaiting", "staff_user"),
        ("inspections:resubmit", "failed_application", "applicant"),
        ("inspections:resubmit", "failed_application", "member"),
    ],
)
def test_it_opens_the_page_for_the_people_it_is_for(client, request, name, kind, person):
    url = reverse(name, args=[_target(request, kind)])
    client.force_login(request.getfixturevalue(person))
    response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("person", ["inspector", "applicant", "no_role_user"])
@pytest.mark.parametrize("name", ["inspections:calendar", "inspections:overdue"])
def test_it_refuses_the_staff_lists_to_everyone_else(client, request, name, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("person", ["applicant", "no_role_user"])
def test_it_has_no_schedule_page_for_people_who_are_not_inspectors(client, request, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("inspections:schedule")).status_code == 404


def test_it_sends_staff_from_my_schedule_to_the_calendar(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("inspections:schedule"))
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:calendar")


# --- Scheduling (staff) ---------------------------------------------------------------------


def _schedule_data(inspector, start=None, end=None, **extra):
    start, end = (start, end) if start else window(days=2)
    data = {
        "inspector": inspector.pk,
        "date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "contact_name": "Budi Santoso",
        "contact_phone": "+62 812 1111 2222",
    }
    data.update(extra)
    return data


def test_it_schedules_an_inspection_in_jakarta_time(client, staff_user, inspector, organization):
    application = awaiting_application(organization, staff=staff_user)
    client.force_login(staff_user)
    url = reverse("inspections:create", args=[application.pk])
    response = client.post(url, _schedule_data(inspector))
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:detail", args=[application.pk])
    inspection = Inspection.objects.get(application=application)
    start, end = window(days=2)
    assert (inspection.window_start, inspection.window_end) == (start, end)
    assert inspection.inspector == inspector
    assert inspection.contact_name == "Budi Santoso"
    application.refresh_from_db()
    assert application.state == ApplicationState.INSPECTION_SCHEDULED


def test_it_prefills_the_on_site_contact_and_offers_only_inspectors(
    client, staff_user, inspector, organization
):
    application = awaiting_application(organization, staff=staff_user)
    client.force_login(staff_user)
    response = client.get(reverse("inspections:create", args=[application.pk]))
    form = response.context["form"]
    assert form.initial["contact_phone"] == organization.contact_phone
    assert form.initial["contact_name"] == application.created_by.get_full_name()
    assert list(form.fields["inspector"].queryset) == [inspector]


def _past_window():
    start, end = window(days=-1)
    return {"start": start, "end": end}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("past", "cannot be in the past"),
        ("inverted", "must end after it starts"),
        ("overlap", "already has an inspection"),
        ("unpaid", "not paid yet"),
    ],
)
def test_it_shows_scheduling_refusals_on_the_form_and_creates_nothing(
    client, staff_user, inspector, organization, case, expected
):
    application = awaiting_application(organization, staff=staff_user, paid=case != "unpaid")
    data = _schedule_data(inspector)
    if case == "past":
        data = _schedule_data(inspector, **_past_window())
    elif case == "inverted":
        data.update(start_time="12:00", end_time="09:00")
    elif case == "overlap":
        make_inspection(inspector=inspector, staff=staff_user, days=2, hour=10)
    before = Inspection.objects.count()
    client.force_login(staff_user)
    response = client.post(reverse("inspections:create", args=[application.pk]), data)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert Inspection.objects.count() == before
    application.refresh_from_db()
    assert application.state == ApplicationState.AWAITING_INSPECTION


def test_it_warns_staff_on_the_form_that_the_invoice_is_unpaid(client, staff_user, organization):
    application = awaiting_application(organization, staff=staff_user, paid=False)
    client.force_login(staff_user)
    response = client.get(reverse("inspections:create", args=[application.pk]))
    assert "invoice not paid yet" in response.content.decode()


def test_it_reschedules_with_a_reason_and_keeps_the_history(client, staff_user, scheduled):
    client.force_login(staff_user)
    start, end = window(days=5, hour=13)
    data = _schedule_data(scheduled.inspector, start, end, reason="Inspector ill")
    data["expected_state"] = "scheduled"
    response = client.post(reverse("inspections:reschedule", args=[scheduled.pk]), data)
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert (scheduled.window_start, scheduled.window_end) == (start, end)
    change = ScheduleChange.objects.get(inspection=scheduled)
    assert change.reason == "Inspector ill"


def test_it_reschedules_to_another_inspector(client, staff_user, scheduled, other_inspector):
    client.force_login(staff_user)
    url = reverse("inspections:reschedule", args=[scheduled.pk])
    assert client.get(url).context["form"].initial["inspector"] == scheduled.inspector_id
    start, end = window(days=3)
    data = _schedule_data(other_inspector, start, end, reason="Inspector ill")
    assert client.post(url, data).status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.inspector == other_inspector
    assert ScheduleChange.objects.get(inspection=scheduled).old_inspector_id is not None


def test_it_refuses_a_reschedule_without_reason_or_into_the_past(client, staff_user, scheduled):
    client.force_login(staff_user)
    url = reverse("inspections:reschedule", args=[scheduled.pk])
    old = scheduled.window_start
    response = client.post(url, _schedule_data(scheduled.inspector))
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    past = _schedule_data(scheduled.inspector, **_past_window(), reason="Earlier")
    response = client.post(url, past)
    assert "cannot be in the past" in response.content.decode()
    scheduled.refresh_from_db()
    assert scheduled.window_start == old
    assert not ScheduleChange.objects.exists()


def test_it_cancels_only_after_confirmation(client, staff_user, scheduled):
    client.force_login(staff_user)
    url = reverse("inspections:cancel", args=[scheduled.pk])
    response = client.post(url, {"reason": "Company asked", "expected_state": "scheduled"})
    assert response.status_code == 200
    assert response.context["form"].errors["confirm"]
    scheduled.refresh_from_db()
    assert scheduled.state == InspectionState.SCHEDULED
    response = client.post(
        url, {"reason": "Company asked", "confirm": "on", "expected_state": "scheduled"}
    )
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert scheduled.state == InspectionState.CANCELLED
    assert scheduled.application.state == ApplicationState.AWAITING_INSPECTION


# --- Recording findings (the assigned inspector) --------------------------------------------


def test_the_inspection_page_has_the_checklist_facts_and_documents(client, inspector, scheduled):
    client.force_login(inspector)
    response = client.get(reverse("inspections:detail", args=[scheduled.pk]))
    html = response.content.decode()
    assert f'hx-post="{reverse("inspections:findings", args=[scheduled.pk])}"' in html
    assert 'hx-trigger="change delay:500ms"' in html
    assert 'name="result-business_entity" value="major"' in html
    # A new company has no certificate to display yet.
    assert "result-certificate_displayed" not in html
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert "inspection-draft.js" in html
    version = DocumentVersion.objects.filter(document__application=scheduled.application).first()
    assert reverse("applications:document_download", args=[version.pk]) in html
    assert scheduled.application.sites.first().address in html


def test_the_assigned_inspector_downloads_the_documents_and_no_other(
    client, inspector, other_inspector, scheduled
):
    version = DocumentVersion.objects.filter(document__application=scheduled.application).first()
    url = reverse("applications:document_download", args=[version.pk])
    client.force_login(inspector)
    assert client.get(url).status_code == 200
    client.force_login(other_inspector)
    assert client.get(url).status_code == 404


def test_it_saves_a_partial_draft_through_htmx(client, inspector, scheduled):
    client.force_login(inspector)
    data = {
        "result-business_entity": "compliant",
        "note-business_entity": "NIB matches the deed.",
        "interview_role": ["Agents", ""],
        "interview_number": ["4", ""],
        "interview_notes": ["Know the SOP", ""],
        "corrective_actions": "",
    }
    response = client.post(reverse("inspections:findings", args=[scheduled.pk]), data, **HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "inspection-draft-saved"
    body = response.content.decode()
    assert "Draft saved" in body and "<html" not in body
    finding = Finding.objects.get(inspection=scheduled, requirement=Requirement.BUSINESS_ENTITY)
    assert (finding.result, finding.note) == ("compliant", "NIB matches the deed.")
    assert Finding.objects.get(inspection=scheduled, requirement=Requirement.SOPS).result == ""
    interview = Interview.objects.get(inspection=scheduled)
    assert (interview.role, interview.number_interviewed) == ("Agents", 4)
    scheduled.refresh_from_db()
    assert scheduled.state == InspectionState.IN_PROGRESS


def test_a_field_sent_empty_clears_and_a_field_left_out_keeps(client, inspector, scheduled):
    client.force_login(inspector)
    url = reverse("inspections:findings", args=[scheduled.pk])
    client.post(url, {"result-sops": "minor", "note-sops": "Old", "corrective_actions": "Fix"})
    client.post(url, {"note-sops": ""}, **HTMX)
    finding = Finding.objects.get(inspection=scheduled, requirement=Requirement.SOPS)
    assert (finding.result, finding.note) == ("minor", "")
    scheduled.refresh_from_db()
    assert scheduled.corrective_actions == "Fix"
    client.post(url, {"corrective_actions": ""}, **HTMX)
    scheduled.refresh_from_db()
    assert scheduled.corrective_actions == ""


def test_it_keeps_the_findings_when_an_interview_row_is_half_typed(client, inspector, scheduled):
    client.force_login(inspector)
    data = {
        "result-sops": "minor",
        "interview_role": ["Supervisors"],
        "interview_number": [""],
        "interview_notes": [""],
    }
    response = client.post(reverse("inspections:findings", args=[scheduled.pk]), data, **HTMX)
    assert "HX-Trigger" not in response
    assert "kept on this device" in response.content.decode()
    assert Finding.objects.get(inspection=scheduled, requirement=Requirement.SOPS).result == "minor"
    assert not Interview.objects.filter(inspection=scheduled).exists()


def test_saving_without_htmx_goes_on_to_the_confirmation(client, inspector, scheduled):
    client.force_login(inspector)
    url = reverse("inspections:findings", args=[scheduled.pk])
    response = client.post(url, {"result-sops": "compliant", "then": "submit"})
    assert response["Location"] == reverse("inspections:submit", args=[scheduled.pk])
    response = client.post(url, {"result-sops": "compliant"})
    assert response["Location"] == reverse("inspections:detail", args=[scheduled.pk])


def test_it_shows_the_resulting_outcome_before_submitting(client, inspector, in_progress):
    record_all(in_progress, majors=[Requirement.DATA_PROTECTION])
    client.force_login(inspector)
    url = reverse("inspections:submit", args=[in_progress.pk])
    response = client.get(url)
    assert response.context["outcome"] == InspectionState.FAILED
    assert response.context["needs_actions"] is True
    assert not response.context["can_submit"]
    services.findings_save_draft(
        inspection=in_progress, actor=inspector, corrective_actions="Appoint a DPO."
    )
    response = client.get(url)
    assert response.context["can_submit"]
    assert 'id="outcome"' in response.content.decode()
    record_all(in_progress)
    assert client.get(url).context["outcome"] == InspectionState.PASSED


def test_it_lists_the_requirements_still_missing_a_result(client, inspector, in_progress):
    client.force_login(inspector)
    response = client.get(reverse("inspections:submit", args=[in_progress.pk]))
    assert len(response.context["missing"]) == 5
    assert not response.context["can_submit"]
    html = response.content.decode()
    assert 'id="outcome-unknown"' in html and 'id="outcome"' not in html


def test_submitting_twice_shows_why_the_second_is_refused(client, inspector, in_progress):
    record_all(in_progress)
    client.force_login(inspector)
    url = reverse("inspections:submit", args=[in_progress.pk])
    response = client.post(url, {"expected_state": "in_progress"})
    assert response["Location"] == reverse("inspections:detail", args=[in_progress.pk])
    in_progress.refresh_from_db()
    assert in_progress.state == InspectionState.PASSED
    response = client.post(url, {"expected_state": "in_progress"}, follow=True)
    html = response.content.decode()
    assert "can no longer be changed" in html
    assert 'id="checklist"' not in html
    assert f'data-draft-clear="inspection-draft-{in_progress.pk}"' in html


def test_the_page_is_read_only_after_submission_and_says_why(client, inspector, failed):
    client.force_login(inspector)
    response = client.get(reverse("inspections:detail", args=[failed.pk]))
    html = response.content.decode()
    assert 'id="checklist"' not in html
    assert "were submitted on" in html
    response = client.post(
        reverse("inspections:findings", args=[failed.pk]), {"result-sops": "compliant"}, **HTMX
    )
    assert "can no longer change" in response.content.decode()
    assert "HX-Trigger" not in response


def test_staff_see_the_inspection_read_only(client, staff_user, in_progress):
    client.force_login(staff_user)
    html = client.get(reverse("inspections:detail", args=[in_progress.pk])).content.decode()
    assert 'id="checklist"' not in html
    assert "Only the inspector assigned" in html


def test_it_adds_an_evidence_photo_and_refuses_other_files(client, inspector, scheduled):
    client.force_login(inspector)
    url = reverse("inspections:evidence", args=[scheduled.pk])
    response = client.post(url, {"photo": png_upload(), "requirement": "sops", "caption": "SOP"})
    assert response.status_code == 302
    photo = EvidencePhoto.objects.get(inspection=scheduled)
    assert photo.requirement == "sops"
    fake = png_upload(name="photo.png", content=HTML_BYTES)
    response = client.post(url, {"photo": fake}, follow=True)
    assert EvidencePhoto.objects.filter(inspection=scheduled).count() == 1
    assert any(m.level_tag == "error" for m in response.context["messages"])
    download = client.get(reverse("inspections:evidence_download", args=[photo.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"


# --- My schedule, report -------------------------------------------------------------------


def test_my_schedule_shows_today_and_upcoming_with_a_phone_link(
    client, inspector, staff_user, fixed_now
):
    today = make_inspection(inspector=inspector, staff=staff_user, days=0, hour=10)
    later = make_inspection(inspector=inspector, staff=staff_user, days=3)
    make_inspection(staff=staff_user)  # someone else's
    client.force_login(inspector)
    response = client.get(reverse("inspections:schedule"))
    assert [i.pk for i in response.context["todays"]] == [today.pk]
    assert [i.pk for i in response.context["upcoming"]] == [later.pk]
    html = response.content.decode()
    assert 'href="tel:' in html
    assert html.count("data-inspection=") == 2


def test_the_report_is_being_prepared_until_rendered_then_downloads(
    client,
    applicant,
    member,
    inspector,
    staff_user,
    in_progress,
    django_capture_on_commit_callbacks,
):
    record_all(in_progress)
    client.force_login(member)
    url = reverse("inspections:report", args=[in_progress.pk])
    with django_capture_on_commit_callbacks(execute=False):
        services.inspection_submit(inspection=in_progress, actor=inspector)
    response = client.get(url)
    assert response.status_code == 202
    assert "being prepared" in response.content.decode()
    from inspections.tasks import render_inspection_report

    render_inspection_report(in_progress.pk)
    for person in (member, applicant, inspector, staff_user):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"


def test_there_is_no_report_before_submission(client, inspector, in_progress):
    client.force_login(inspector)
    assert client.get(reverse("inspections:report", args=[in_progress.pk])).status_code == 404


# --- The application page panel -------------------------------------------------------------


def _panel(application, user):
    request = RequestFactory().get("/")
    request.user = user
    application = Application.objects.get(pk=application.pk)
    return render_to_string(
        "inspections/_application_inspections.html",
        {"application": application, "user": user, "request": request},
        request=request,
    )


def test_the_panel_offers_staff_to_schedule_once_paid(staff_user, organization):
    paid = awaiting_application(organization, staff=staff_user)
    unpaid = awaiting_application(organization, staff=staff_user, paid=False)
    assert reverse("inspections:create", args=[paid.pk]) in _panel(paid, staff_user)
    html = _panel(unpaid, staff_user)
    assert reverse("inspections:create", args=[unpaid.pk]) not in html
    assert "invoice is not paid yet" in html


def test_the_panel_tells_the_applicant_when_and_who(applicant, staff_user, scheduled):
    html = _panel(scheduled.application, applicant)
    assert scheduled.inspector.get_full_name() in html
    assert "data-upcoming" in html
    assert reverse("inspections:reschedule", args=[scheduled.pk]) not in html
    staff_html = _panel(scheduled.application, staff_user)
    assert reverse("inspections:reschedule", args=[scheduled.pk]) in staff_html
    assert reverse("inspections:cancel", args=[scheduled.pk]) in staff_html


def test_the_panel_shows_the_failure_corrective_actions_and_resubmit_form(applicant, failed):
    html = _panel(failed.application, applicant)
    assert "data-failed" in html
    assert escape(failed.corrective_actions) in html
    assert reverse("inspections:resubmit", args=[failed.application_id]) in html
    assert reverse("applications:step", args=[failed.application_id, "documents"]) in html
    assert "being prepared" in html  # the report task ran not (no on_commit in this test)


def test_the_panel_runs_a_bounded_number_of_queries(
    applicant, staff_user, inspector, organization, django_assert_max_num_queries
):
    application = awaiting_application(organization, staff=staff_user)
    for _ in range(3):
        inspection = services.inspection_schedule(
            application=application,
            actor=staff_user,
            inspector=inspector,
            window_start=window(days=2)[0],
            window_end=window(days=2)[1],
        )
        services.inspection_cancel(inspection=inspection, actor=staff_user, reason="Moved")
    application = Application.objects.get(pk=application.pk)
    with django_assert_max_num_queries(12):
        _panel(application, applicant)


def test_the_application_pages_carry_the_panel(client, applicant, staff_user, inspector, failed):
    detail = reverse("applications:detail", args=[failed.application_id])
    client.force_login(applicant)
    html = client.get(detail).content.decode()
    assert 'id="inspections"' in html
    assert reverse("inspections:resubmit", args=[failed.application_id]) in html
    client.force_login(staff_user)
    html = client.get(detail).content.decode()
    assert reverse("inspections:detail", args=[failed.pk]) in html
    assert reverse("inspections:resubmit", args=[failed.application_id]) not in html


def test_the_applicant_resubmits_after_a_failure_with_confirmation(client, applicant, failed):
    client.force_login(applicant)
    url = reverse("inspections:resubmit", args=[failed.application_id])
    response = client.post(url, {"note": "DPO appointed"})
    assert response.status_code == 200
    assert response.context["form"].errors["confirm"]
    failed.application.refresh_from_db()
    assert failed.application.state == ApplicationState.INSPECTION_FAILED
    response = client.post(url, {"note": "DPO appointed", "confirm": "on"})
    assert response["Location"] == reverse("applications:detail", args=[failed.application_id])
    failed.application.refresh_from_db()
    assert failed.application.state == ApplicationState.AWAITING_INSPECTION


def test_a_second_resubmission_is_refused_on_the_form(client, applicant, failed):
    client.force_login(applicant)
    url = reverse("inspections:resubmit", args=[failed.application_id])
    client.post(url, {"confirm": "on"})
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_the_results_offered_are_the_three_of_the_checklist():
    assert [value for value, _ in FindingResult.choices] == ["compliant", "minor", "major"]
