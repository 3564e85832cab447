"""Findings open on the planned day (issue 9, item 8).

Before the Jakarta date of the window's start the inspector sees the inspection read-only with
the date it opens, and the services refuse to start, record or submit; staff may move the
inspection to today, after which the findings open at once.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse

from inspections import services
from inspections.constants import JAKARTA, FindingResult, InspectionState, Requirement
from inspections.models import EvidencePhoto, Finding, Inspection
from inspections.services import NotAllowed, SchedulingRefused
from registrasi.audit.models import AuditEvent
from tests.inspections.factories import jpeg_upload, make_inspection, record_all

pytestmark = pytest.mark.usefixtures("english")

# Tuesday 1 December 2026, 10:00 in Jakarta; the inspection is planned three weeks ahead.
NOW = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=JAKARTA)
PLANNED = datetime.datetime(2026, 12, 22, 9, 0, tzinfo=JAKARTA)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ahead(now, applicant, inspector, staff_user):
    return make_inspection(
        organization=applicant.organization, inspector=inspector, staff=staff_user, days=21
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _nothing_recorded(inspection):
    inspection = fresh(inspection)
    assert inspection.state == InspectionState.SCHEDULED
    assert inspection.started_at is None
    assert not Finding.objects.filter(inspection=inspection).exclude(result="").exists()
    assert not EvidencePhoto.objects.filter(inspection=inspection).exists()
    assert not AuditEvent.objects.for_object(inspection).exclude(action="schedule").exists()


def test_the_planned_day_is_the_jakarta_date_of_the_start(ahead):
    assert ahead.opens_on == datetime.date(2026, 12, 22)
    assert not ahead.is_open()
    assert ahead.is_open(datetime.date(2026, 12, 22))


def test_nothing_can_be_recorded_before_the_planned_day(ahead, inspector):
    attempts = [
        lambda: services.inspection_start(inspection=ahead, actor=inspector),
        lambda: services.findings_save_draft(
            inspection=ahead,
            actor=inspector,
            findings={Requirement.SOPS: {"result": FindingResult.COMPLIANT}},
        ),
        lambda: services.evidence_add(
            inspection=ahead, actor=inspector, uploaded_file=jpeg_upload()
        ),
        lambda: services.inspection_submit(inspection=ahead, actor=inspector),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed, match="open on 22 December 2026, the planned day"):
            attempt()
    _nothing_recorded(ahead)


def test_findings_open_at_midnight_of_the_planned_day(ahead, inspector, now):
    now.move_to(PLANNED.replace(hour=0, minute=5))  # before the window's 09:00 start

    record_all(ahead)
    submitted = services.inspection_submit(inspection=ahead, actor=inspector)

    assert submitted.state == InspectionState.PASSED


def test_the_inspector_sees_it_read_only_with_the_day_it_opens(client, ahead, inspector):
    client.force_login(inspector)

    page = client.get(reverse("inspections:detail", args=[ahead.pk])).content.decode()

    assert "Findings open on 22 December 2026" in page
    assert 'id="checklist"' not in page
    assert 'name="result-' not in page
    assert reverse("inspections:evidence", args=[ahead.pk]) not in page


def test_the_pages_refuse_early_findings_and_submission(client, ahead, inspector):
    client.force_login(inspector)
    findings = reverse("inspections:findings", args=[ahead.pk])
    submit = reverse("inspections:submit", args=[ahead.pk])

    saved = client.post(findings, {f"result-{Requirement.SOPS}": FindingResult.COMPLIANT})
    shown = client.get(submit, follow=True)
    posted = client.post(submit, follow=True)

    assert saved.status_code == 302
    assert shown.redirect_chain[-1][0] == reverse("inspections:detail", args=[ahead.pk])
    assert "open on 22 December 2026" in posted.content.decode()
    _nothing_recorded(ahead)


def test_staff_may_reschedule_to_today_and_the_findings_open(ahead, staff_user, inspector):
    # Earlier today and still running: the visit is under way now.
    start, end = NOW.replace(hour=8), NOW.replace(hour=16)

    services.inspection_reschedule(
        inspection=ahead, actor=staff_user, window_start=start, window_end=end, reason="Today"
    )
    moved = fresh(ahead)
    record_all(moved)

    assert moved.is_open()
    assert services.inspection_submit(inspection=moved, actor=inspector).state == "passed"


@pytest.mark.parametrize(
    "start, end",
    [
        (NOW - datetime.timedelta(days=1), NOW - datetime.timedelta(days=1, hours=-3)),
        (NOW.replace(hour=7), NOW.replace(hour=9)),  # today, but over already
    ],
    ids=["yesterday", "ended-today"],
)
def test_it_refuses_to_reschedule_into_the_past(ahead, staff_user, start, end):
    with pytest.raises(SchedulingRefused, match="cannot be in the past"):
        services.inspection_reschedule(
            inspection=ahead, actor=staff_user, window_start=start, window_end=end, reason="Now"
        )
    assert fresh(ahead).window_start == PLANNED


def test_another_inspector_cannot_open_the_early_inspection(client, ahead, request):
    other = request.getfixturevalue("other_inspector")
    client.force_login(other)
    assert client.get(reverse("inspections:detail", args=[ahead.pk])).status_code == 404
    assert Inspection.objects.get(pk=ahead.pk).state == InspectionState.SCHEDULED


def test_the_reschedule_form_accepts_today(client, ahead, staff_user, inspector):
    client.force_login(staff_user)
    data = {
        "date": NOW.date().isoformat(),
        "start_time": "08:00",
        "end_time": "16:00",
        "inspector": inspector.pk,
        "reason": "The company asked for the visit today.",
    }

    response = client.post(reverse("inspections:reschedule", args=[ahead.pk]), data)

    assert response.status_code == 302
    assert fresh(ahead).opens_on == NOW.date() and fresh(ahead).is_open()


def test_my_schedule_says_when_the_findings_open(client, ahead, inspector):
    client.force_login(inspector)
    page = client.get(reverse("inspections:schedule")).content.decode()
    assert "Findings open on 22 December 2026." in page
