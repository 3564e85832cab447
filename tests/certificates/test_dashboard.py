"""The staff dashboard (certificates.dashboard): a known dataset gives known numbers on the
page and in the exported XLSX; filters by province and period; a fixed number of queries;
404 for everyone but staff."""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from applications.constants import ApplicationKind, ApplicationState
from applications.models import Application
from certificates.constants import CertificateState, SanctionKind
from certificates.models import Sanction
from inspections.constants import FindingResult, InspectionState, Requirement
from inspections.models import Finding, Inspection
from registrasi.accounts.constants import Province
from registrasi.audit.models import AuditEvent
from tests import desk_seed
from tests.factories import InspectorFactory

A = ApplicationState
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
URL = reverse("certificates:dashboard")
EXPORT_URL = reverse("certificates:dashboard_export")
TODAY = datetime.date(2026, 6, 15)
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-06-15"}


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=JAKARTA)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(at(TODAY, 12), tick=False):
        yield


def _inspection(application, inspector, staff, start, outcome, majors=()):
    """A submitted inspection with findings for data protection and SOPs (majors as given),
    written while open then closed by a queryset update, as generate_scale does."""
    inspection = Inspection.objects.create(
        application=application,
        inspector=inspector,
        state=InspectionState.SCHEDULED,
        window_start=start,
        window_end=start + datetime.timedelta(hours=2),
        scheduled_by=staff,
    )
    Finding.objects.bulk_create(
        [
            Finding(
                inspection=inspection,
                requirement=requirement,
                position=position,
                result=FindingResult.MAJOR if requirement in majors else FindingResult.COMPLIANT,
            )
            for position, requirement in enumerate((Requirement.DATA_PROTECTION, Requirement.SOPS))
        ]
    )
    Inspection.objects.filter(pk=inspection.pk).update(
        state=outcome,
        submitted_at=start + datetime.timedelta(hours=3),
        corrective_actions="Fix it." if outcome == InspectionState.FAILED else "",
    )
    return inspection


def _transitions(application, *steps):
    """Audit events of the application's transitions at the given times."""
    content_type = ContentType.objects.get_for_model(Application)
    for when, from_state, to_state in steps:
        with time_machine.travel(when, tick=False):
            AuditEvent.objects.create(
                action="transition",
                content_type=content_type,
                object_id=str(application.pk),
                from_state=from_state,
                to_state=to_state,
            )


@pytest.fixture
def known(organization, other_organization, staff_user):
    """The dataset the expected numbers below are computed from by hand."""
    inspector_a = InspectorFactory(full_name="Ani Inspektur")
    inspector_b = InspectorFactory(full_name="Budi Inspektur")
    # Received: January 2 new + 1 renewal (Bali), March 1 change report; December 2025 is
    # outside the period.
    january = desk_seed.applications(
        organization, 2, A.APPROVED, submitted_at=at(datetime.date(2026, 1, 10))
    )
    (renewal,) = desk_seed.applications(
        other_organization,
        1,
        A.APPROVED,
        kind=ApplicationKind.RENEWAL,
        province=Province.BALI,
        submitted_at=at(datetime.date(2026, 1, 20)),
    )
    (change,) = desk_seed.applications(
        organization,
        1,
        A.INSPECTION_FAILED,
        kind=ApplicationKind.CHANGE,
        submitted_at=at(datetime.date(2026, 3, 5)),
    )
    desk_seed.applications(
        organization, 1, A.SUBMITTED, submitted_at=at(datetime.date(2025, 12, 1))
    )
    # Certificates: 10, 20 and 40 days after submission -> median 20, 90th percentile 36.
    desk_seed.certificates(
        [january[0]],
        staff_user,
        issued_on=datetime.date(2026, 1, 20),
        expires_on=datetime.date(2026, 7, 10),
    )
    desk_seed.certificates(
        [january[1]],
        staff_user,
        issued_on=datetime.date(2026, 1, 30),
        expires_on=datetime.date(2026, 7, 31),
    )
    (bali_certificate,) = desk_seed.certificates(
        [renewal],
        staff_user,
        issued_on=datetime.date(2026, 3, 1),
        expires_on=datetime.date(2026, 9, 1),
    )
    # Expiring beyond a year, and an expired one: neither counts.
    far, gone = desk_seed.applications(
        organization, 2, A.APPROVED, submitted_at=at(datetime.date(2020, 1, 1))
    )
    desk_seed.certificates(
        [far], staff_user, issued_on=datetime.date(2023, 1, 1), expires_on=datetime.date(2027, 8, 1)
    )
    desk_seed.certificates(
        [gone],
        staff_user,
        issued_on=datetime.date(2020, 1, 1),
        expires_on=datetime.date(2026, 8, 1),
        state=CertificateState.REVOKED,
    )
    # Inspections: two passed, two failed (majors: data protection twice, SOPs once).
    week1 = at(datetime.date(2026, 5, 4), 9)  # a Monday
    _inspection(january[0], inspector_a, staff_user, week1, InspectionState.PASSED)
    _inspection(
        january[1],
        inspector_a,
        staff_user,
        week1 + datetime.timedelta(days=1),
        InspectionState.PASSED,
    )
    _inspection(
        change,
        inspector_a,
        staff_user,
        week1 + datetime.timedelta(days=7),
        InspectionState.FAILED,
        majors=(Requirement.DATA_PROTECTION, Requirement.SOPS),
    )
    _inspection(
        renewal,
        inspector_b,
        staff_user,
        week1 + datetime.timedelta(days=2),
        InspectionState.FAILED,
        majors=(Requirement.DATA_PROTECTION,),
    )
    # Stages: submitted 1 day then under review 2 days (one application), and 3 days in
    # "submitted" for another: median of submitted = 2 days.
    start = at(datetime.date(2026, 2, 2))
    _transitions(
        january[0],
        (start, A.DRAFT, A.SUBMITTED),
        (start + datetime.timedelta(days=1), A.SUBMITTED, A.UNDER_REVIEW),
        (start + datetime.timedelta(days=3), A.UNDER_REVIEW, A.AWAITING_INSPECTION),
    )
    _transitions(
        january[1],
        (start, A.DRAFT, A.SUBMITTED),
        (start + datetime.timedelta(days=3), A.SUBMITTED, A.UNDER_REVIEW),
    )
    # Sanctions: a fine and a suspension in the period, a revocation before it.
    certificate = bali_certificate
    Sanction.objects.create(
        certificate=certificate,
        kind=SanctionKind.FINE,
        reason="Late report",
        amount=1_000_000,
        due_date=datetime.date(2026, 7, 1),
        created_by=staff_user,
    )
    Sanction.objects.create(
        certificate=certificate,
        kind=SanctionKind.SUSPENSION,
        reason="No SOP",
        starts_on=TODAY,
        created_by=staff_user,
    )
    with time_machine.travel(at(datetime.date(2025, 6, 1)), tick=False):
        Sanction.objects.create(
            certificate=certificate,
            kind=SanctionKind.REVOCATION,
            reason="Old",
            created_by=staff_user,
        )


EXPECTED = {
    "received": [["2026-01", 2, 1, 0, 3], ["2026-03", 0, 0, 1, 1]],
    "to_certificate": [
        ["Certificates issued", 3],
        ["Median days", 20.0],
        ["90th percentile days", 36.0],
    ],
    "stages": [["Submitted", 2, 2.0, 2.0], ["Under review", 1, 2.0, 2.0]],
    "pass_rate": [["Passed", 2], ["Failed", 2], ["Pass rate (%)", 50.0]],
    "major_findings": [
        ["Data protection and privacy", 2, 4, 50.0],
        ["SOPs written and followed", 1, 4, 25.0],
    ],
    "inspector_weeks": [
        ["Ani Inspektur", "2026-05-04", 2],
        ["Ani Inspektur", "2026-05-11", 1],
        ["Budi Inspektur", "2026-05-04", 1],
    ],
    "expiring": [
        ["2026-06", 0],
        ["2026-07", 2],
        ["2026-08", 0],
        ["2026-09", 1],
        ["2026-10", 0],
        ["2026-11", 0],
        ["2026-12", 0],
        ["2027-01", 0],
        ["2027-02", 0],
        ["2027-03", 0],
        ["2027-04", 0],
        ["2027-05", 0],
        ["2027-06", 0],
    ],
    "sanctions": [["Fine", 1], ["Suspension", 1], ["Reinstatement", 0], ["Revocation", 0]],
}


def _sections(response):
    return {s.key: s.rows for s in response.context["sections"]}


def test_the_dashboard_shows_the_numbers_of_a_known_dataset(client, staff_user, known):
    client.force_login(staff_user)

    response = client.get(URL, PERIOD)

    assert response.status_code == 200
    assert _sections(response) == EXPECTED
    html = response.content.decode()
    assert html.count("<svg") == len(EXPECTED)
    assert "style=" not in html


def test_the_exported_xlsx_has_the_same_rows(client, staff_user, known):
    client.force_login(staff_user)

    response = client.get(EXPORT_URL, {**PERIOD, "format": "xlsx"})

    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(workbook.worksheets) == len(EXPECTED)
    for sheet, (key, rows) in zip(workbook.worksheets, EXPECTED.items(), strict=True):
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert values[1:] == rows, key
    assert workbook.worksheets[0]["A1"].value == "Month"
    event = AuditEvent.objects.get(action="export")
    assert event.actor == staff_user
    assert event.data == {
        "what": "dashboard",
        "format": "xlsx",
        "filters": {"date_from": "2026-01-01", "date_to": "2026-06-15"},
    }


def test_one_table_exports_as_csv(client, staff_user, known):
    client.force_login(staff_user)

    response = client.get(EXPORT_URL, {**PERIOD, "format": "csv", "table": "sanctions"})
    unknown = client.get(EXPORT_URL, {**PERIOD, "format": "csv", "table": "nope"})

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines() == [
        "Type,Sanctions",
        "Fine,1",
        "Suspension,1",
        "Reinstatement,0",
        "Revocation,0",
    ]
    assert unknown.status_code == 404


def test_the_province_filter_keeps_that_province(client, staff_user, known):
    client.force_login(staff_user)

    sections = _sections(client.get(URL, {**PERIOD, "province": Province.BALI}))

    assert sections["received"] == [["2026-01", 0, 1, 0, 1]]
    assert sections["to_certificate"][0] == ["Certificates issued", 1]
    assert sections["pass_rate"] == [["Passed", 0], ["Failed", 1], ["Pass rate (%)", 0.0]]
    assert sections["expiring"][3] == ["2026-09", 1]
    assert sections["sanctions"][:2] == [["Fine", 1], ["Suspension", 1]]
    assert sections["stages"] == []


def test_the_period_filter_and_its_default(client, staff_user, known):
    client.force_login(staff_user)

    march = _sections(client.get(URL, {"date_from": "2026-03-01", "date_to": "2026-03-31"}))
    default = client.get(URL)
    backwards = client.get(URL, {"date_from": "2026-05-01", "date_to": "2026-01-01"})

    assert march["received"] == [["2026-03", 0, 0, 1, 1]]
    assert march["to_certificate"][0] == ["Certificates issued", 1]
    assert march["sanctions"][0] == ["Fine", 0]
    period = default.context["filters"]
    assert (period.date_from, period.date_to) == (datetime.date(2025, 6, 15), TODAY)
    assert backwards.status_code == 200
    assert "The period must start before it ends." in backwards.content.decode()


@pytest.mark.parametrize("who", ["applicant", "inspector", "outsider", "no_role_user"])
def test_everyone_but_staff_gets_404(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(URL).status_code == 404
    assert client.get(EXPORT_URL, {"format": "xlsx"}).status_code == 404


# Session, user, second-factor device, groups, then one query per section (8).
DASHBOARD_QUERIES = 12


@pytest.mark.parametrize("count", [5, 50])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    client, staff_user, organization, django_assert_num_queries, count
):
    inspector = InspectorFactory()
    apps = desk_seed.applications(organization, count, A.APPROVED, submitted_days_ago=40)
    desk_seed.certificates(apps, staff_user, issued_days_ago=2, expires_in_days=100)
    for index, app in enumerate(apps):
        _inspection(
            app,
            inspector,
            staff_user,
            at(TODAY - datetime.timedelta(days=10)) + datetime.timedelta(hours=3 * index),
            InspectionState.PASSED,
        )
        _transitions(
            app,
            (at(TODAY - datetime.timedelta(days=30)), A.DRAFT, A.SUBMITTED),
            (at(TODAY - datetime.timedelta(days=20)), A.SUBMITTED, A.UNDER_REVIEW),
        )
    client.force_login(staff_user)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(URL)

    sections = _sections(response)
    assert sections["to_certificate"][0] == ["Certificates issued", count]
    assert sections["pass_rate"][0] == ["Passed", count]
    assert sections["stages"] == [["Submitted", count, 10.0, 10.0]]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-99-99", "date_to": "x" * 10_000},
        {"province": "\x00", "date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"date_from": "1990-01-01", "date_to": "2026-01-01"},
        {"date_from": "9999-12-30", "date_to": "9999-12-31"},
        {"date_from": "0001-01-01", "date_to": "0001-01-02"},
    ],
)
def test_hostile_filters_fall_back_to_the_default_period(client, staff_user, params):
    client.force_login(staff_user)

    response = client.get(URL, params)
    export = client.get(EXPORT_URL, {**params, "format": "xlsx"})

    assert response.status_code == 200
    period = response.context["filters"]
    assert (period.date_from, period.date_to) == (datetime.date(2025, 6, 15), TODAY)
    assert export.status_code == 200
