"""The desk's queues by what must happen next (certificates.desk): which rows each holds, the
tab counts, the service level of each row in working days, the fallback target, who may see
them, and a fixed number of queries for 5 and 50 rows."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from applications.constants import ApplicationKind, ApplicationState
from certificates import desk, service_levels
from registrasi.accounts.constants import Province
from registrasi.working_days import working_days_between
from tests import desk_seed
from tests.applications.factories import ApplicationFactory
from tests.factories import OrganizationFactory

A = ApplicationState
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
URL = reverse("certificates:desk")


def _rows(response):
    return response.context["desk"].rows


def _references(response):
    return {row.reference for row in _rows(response)}


@pytest.fixture
def seeded(organization, applicant, staff_user, inspector):
    """One application (or certificate) for each queue, and some for none."""
    seed = {}
    (seed["submitted"],) = desk_seed.applications(organization, 1, A.SUBMITTED)
    (seed["new_document"],) = desk_seed.applications(organization, 1, A.AWAITING_INSPECTION)
    desk_seed.pending_documents([seed["new_document"]], applicant)
    desk_seed.invoices([seed["new_document"]], paid=False)
    (seed["to_schedule"],) = desk_seed.applications(organization, 1, A.AWAITING_INSPECTION)
    desk_seed.invoices([seed["to_schedule"]], paid=True)
    (seed["unpaid"],) = desk_seed.applications(organization, 1, A.AWAITING_INSPECTION)
    desk_seed.invoices([seed["unpaid"]], paid=False, due_days_from_now=-3)
    (seed["scheduled"],) = desk_seed.applications(organization, 1, A.INSPECTION_SCHEDULED)
    desk_seed.overdue_inspections([seed["scheduled"]], inspector, staff_user)
    (seed["passed"],) = desk_seed.applications(organization, 1, A.INSPECTION_PASSED)
    (seed["approved"],) = desk_seed.applications(organization, 1, A.APPROVED)
    (seed["certificate"],) = desk_seed.certificates([seed["approved"]], staff_user)
    (seed["change"],) = desk_seed.applications(
        organization,
        1,
        A.UNDER_REVIEW,
        kind=ApplicationKind.CHANGE,
        basis_certificate=seed["certificate"],
    )
    (seed["discrepancy"],) = desk_seed.applications(organization, 1, A.SUBMITTED)
    desk_seed.discrepancies(desk_seed.invoices([seed["discrepancy"]], paid=False))
    (seed["draft"],) = desk_seed.applications(organization, 1, A.DRAFT)
    return seed


EXPECTED = {
    "to_review": {"submitted", "new_document", "change", "discrepancy"},
    "to_schedule": {"to_schedule"},
    "overdue": {"scheduled"},
    "to_decide": {"passed"},
    "changes": {"change"},
    "payments": {"unpaid", "discrepancy"},
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_each_queue_holds_what_must_happen_next(client, staff_user, seeded, key):
    client.force_login(staff_user)

    response = client.get(URL, {"queue": key})

    assert response.status_code == 200
    assert _references(response) == {seeded[name].reference for name in EXPECTED[key]}


def test_the_expiring_queue_lists_certificates_ending_within_90_days(
    client, staff_user, seeded, organization
):
    (later,) = desk_seed.applications(organization, 1, A.APPROVED)
    desk_seed.certificates([later], staff_user, expires_in_days=120)
    client.force_login(staff_user)

    response = client.get(URL, {"queue": "expiring"})

    assert _references(response) == {seeded["certificate"].number}


def test_every_tab_shows_its_count(client, staff_user, seeded):
    client.force_login(staff_user)

    response = client.get(URL)

    counts = response.context["desk"].counts
    assert counts == {**{k: len(v) for k, v in EXPECTED.items()}, "expiring": 1}
    html = response.content.decode()
    assert 'data-queue="to_decide"' in html


def test_accepted_and_paid_applications_no_longer_drop_out(client, staff_user):
    """The defect of the issue: an application accepted through the services, paid, appears
    in "to schedule" (the default work queue showed "nothing waiting")."""
    application = ApplicationFactory(awaiting_inspection=True, paid=True, staff=staff_user)
    client.force_login(staff_user)

    response = client.get(URL, {"queue": "to_schedule"})

    assert _references(response) == {application.reference}
    # Its wait starts when it was accepted (the audit event of the transition).
    assert _rows(response)[0].waited == 0


def test_filters_by_province_and_kind(client, staff_user, organization):
    desk_seed.applications(organization, 2, A.SUBMITTED, province=Province.DKI)
    (bali,) = desk_seed.applications(organization, 1, A.SUBMITTED, province=Province.BALI)
    (renewal,) = desk_seed.applications(
        organization, 1, A.SUBMITTED, province=Province.BALI, kind=ApplicationKind.RENEWAL
    )
    client.force_login(staff_user)

    by_province = client.get(URL, {"province": Province.BALI})
    by_both = client.get(URL, {"province": Province.BALI, "kind": ApplicationKind.RENEWAL})
    unknown = client.get(URL, {"province": "atlantis", "queue": "nonsense"})

    assert _references(by_province) == {bali.reference, renewal.reference}
    assert _references(by_both) == {renewal.reference}
    assert unknown.status_code == 200
    assert len(_rows(unknown)) == 4


# Service levels ------------------------------------------------------------------------------


def _at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=JAKARTA)


def test_working_days_skip_weekends_and_indonesian_public_holidays():
    # Thursday 24 December 2026 to Monday 28: Christmas (Friday) and the weekend skipped.
    assert working_days_between(_at(2026, 12, 24), _at(2026, 12, 28)) == 1
    # Monday to Friday of an ordinary week.
    assert working_days_between(_at(2026, 11, 2), _at(2026, 11, 6)) == 4
    # 17 August (Independence Day, a Monday in 2026) is not a working day.
    assert working_days_between(_at(2026, 8, 14), _at(2026, 8, 18)) == 1


def test_working_days_count_the_day_in_jakarta_not_utc():
    # 23:30 UTC on Friday is already Saturday in Jakarta: no working day until Monday.
    friday_night_utc = datetime.datetime(2026, 11, 6, 23, 30, tzinfo=datetime.UTC)
    assert working_days_between(friday_night_utc, _at(2026, 11, 9)) == 1
    assert working_days_between(_at(2026, 11, 6), _at(2026, 11, 9)) == 1
    assert working_days_between(_at(2026, 11, 5), _at(2026, 11, 9)) == 2


@pytest.mark.parametrize(
    ("waited", "status"),
    [
        (0, service_levels.ON_TIME),
        (3, service_levels.ON_TIME),
        (4, service_levels.DUE_SOON),
        (5, service_levels.DUE_SOON),
        (6, service_levels.LATE),
    ],
)
def test_the_service_level_is_on_time_due_soon_or_late(waited, status):
    assert service_levels.sla_status(waited, 5) == status


def test_each_row_says_how_long_it_waited_against_the_target(
    client, staff_user, organization, settings
):
    settings.DESK_SERVICE_LEVELS = {**settings.DESK_SERVICE_LEVELS, "to_review": 3}
    with time_machine.travel(_at(2026, 11, 2), tick=False):  # a Monday
        (application,) = desk_seed.applications(organization, 1, A.SUBMITTED, submitted_days_ago=0)
    client.force_login(staff_user)

    with time_machine.travel(_at(2026, 11, 5), tick=False):  # Thursday: 3 working days
        due = _rows(client.get(URL))
    with time_machine.travel(_at(2026, 11, 9), tick=False):  # next Monday: 5
        late = _rows(client.get(URL))
    with time_machine.travel(_at(2026, 11, 3), tick=False):  # Tuesday: 1
        fine = _rows(client.get(URL))

    assert (fine[0].waited, fine[0].status) == (1, service_levels.ON_TIME)
    assert (due[0].waited, due[0].status) == (3, service_levels.DUE_SOON)
    assert (late[0].waited, late[0].status, late[0].target) == (5, service_levels.LATE, 3)


def test_a_new_document_waits_from_its_upload_not_the_submission(
    client, staff_user, organization, applicant
):
    (application,) = desk_seed.applications(
        organization, 1, A.AWAITING_INSPECTION, submitted_days_ago=60
    )
    desk_seed.pending_documents([application], applicant, uploaded_days_ago=0)
    client.force_login(staff_user)

    (row,) = _rows(client.get(URL))

    assert row.waited == 0
    assert row.detail == "Documents to review"


def test_a_configured_target_is_used_without_a_warning(client, staff_user, settings):
    settings.DESK_SERVICE_LEVELS = {"to_review": 7}
    client.force_login(staff_user)

    response = client.get(URL)

    assert response.context["desk"].target == service_levels.Target(7)
    assert b"data-target-fallback" not in response.content


@pytest.mark.parametrize(
    ("configured", "problem"),
    [
        ({}, "no target is configured"),
        (None, "no target is configured"),
        ({"to_review": "five"}, "the configured target is not a number of days"),
        ({"to_review": [5]}, "the configured target is not a number of days"),
        ({"to_review": True}, "the configured target is not a number of days"),
        ({"to_review": 0}, "the configured target is outside 1 to 365 days"),
        ({"to_review": -4}, "the configured target is outside 1 to 365 days"),
    ],
)
def test_a_missing_or_malformed_target_falls_back_and_says_so(
    client, staff_user, settings, configured, problem
):
    settings.DESK_SERVICE_LEVELS = configured
    client.force_login(staff_user)

    response = client.get(URL)

    target = response.context["desk"].target
    assert target.days == settings.DESK_SERVICE_LEVEL_DEFAULTS["to_review"]
    assert target.problem == problem
    assert b"data-target-fallback" in response.content
    assert problem in response.content.decode()


# Who may see them ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["applicant", "inspector", "outsider", "no_role_user"])
def test_everyone_but_staff_gets_404(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(URL).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "login" in response["Location"]


# Queries -------------------------------------------------------------------------------------

# Session, user, groups, second-factor device, then one count per queue (7) and the page's
# rows; "to review" also prefetches the invoices of its rows; "payments" reads its page's ids
# from each of its two sets first.
QUEUE_QUERIES = {
    "to_review": 13,
    "to_schedule": 12,
    "overdue": 12,
    "to_decide": 12,
    "changes": 12,
    "payments": 14,
    "expiring": 12,
}


def _fill(key, count, organization, applicant, staff_user, inspector):
    if key == "to_review":
        desk_seed.applications(organization, count, A.SUBMITTED)
    elif key == "to_schedule":
        desk_seed.invoices(desk_seed.applications(organization, count, A.AWAITING_INSPECTION))
    elif key == "overdue":
        apps = desk_seed.applications(organization, count, A.INSPECTION_SCHEDULED)
        desk_seed.overdue_inspections(apps, inspector, staff_user)
    elif key == "to_decide":
        desk_seed.applications(organization, count, A.INSPECTION_PASSED)
    elif key == "changes":
        apps = desk_seed.applications(organization, count, A.APPROVED)
        for certificate in desk_seed.certificates(apps, staff_user, expires_in_days=900):
            desk_seed.applications(
                organization,
                1,
                A.SUBMITTED,
                kind=ApplicationKind.CHANGE,
                basis_certificate=certificate,
            )
    elif key == "payments":
        apps = desk_seed.applications(organization, count, A.SUBMITTED)
        half = count // 2
        desk_seed.invoices(apps[:half], paid=False, due_days_from_now=-2)
        desk_seed.discrepancies(desk_seed.invoices(apps[half:], paid=False))
    elif key == "expiring":
        apps = desk_seed.applications(organization, count, A.APPROVED)
        desk_seed.certificates(apps, staff_user)


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("key", list(desk.QUEUES))
def test_each_queue_runs_a_fixed_number_of_queries(
    client,
    staff_user,
    organization,
    applicant,
    inspector,
    django_assert_num_queries,
    key,
    count,
):
    _fill(key, count, organization, applicant, staff_user, inspector)
    OrganizationFactory()  # another tenant's rows cost nothing more either
    client.force_login(staff_user)

    with django_assert_num_queries(QUEUE_QUERIES[key]):
        response = client.get(URL, {"queue": key})

    assert response.status_code == 200
    assert response.context["desk"].counts[key] == count
    assert len(_rows(response)) == min(count, 25)


@pytest.mark.parametrize("page", ["abc", "-3", "99999999999999999999", "\x00"])
def test_any_page_number_shows_a_page(client, staff_user, organization, page):
    desk_seed.applications(organization, 3, A.SUBMITTED)
    client.force_login(staff_user)

    response = client.get(URL, {"page": page})

    assert response.status_code == 200
    assert len(_rows(response)) == 3
