"""The desk's tab counts stop at desk.COUNT_CAP + 1 (issue 14): exact under the cap, "N+"
past it, the pages cover the first COUNT_CAP rows; the payment problems' capped count (a
UNION ALL of two disjoint sets) counts an application with both an overdue invoice and
discrepancies once, and follows the kind and province filters."""

import pytest
from django.urls import reverse

from applications.constants import ApplicationKind, ApplicationState
from certificates import desk
from registrasi.accounts.constants import Province
from tests import desk_seed
from tests.applications.test_queues import _fill

A = ApplicationState
URL = reverse("certificates:desk")


@pytest.fixture
def cap(monkeypatch):
    monkeypatch.setattr(desk, "COUNT_CAP", 4)
    return 4


@pytest.mark.parametrize("key", list(desk.QUEUES))
def test_each_count_stops_past_the_cap(
    client, staff_user, organization, applicant, inspector, cap, key
):
    _fill(key, 6, organization, applicant, staff_user, inspector)
    client.force_login(staff_user)

    response = client.get(URL, {"queue": key, "page": 2})

    page = response.context["desk"]
    assert page.counts[key] == cap + 1
    assert page.capped(key)
    assert page.pages == 1 and page.page == 1
    assert len(page.rows) == 6  # the page itself is not cut by the cap
    html = response.content.decode()
    assert f'data-queue="{key}"' in html
    assert "4+</span>" in html


@pytest.mark.parametrize("key", list(desk.QUEUES))
def test_each_count_is_exact_under_the_cap(
    client, staff_user, organization, applicant, inspector, cap, key
):
    _fill(key, 4, organization, applicant, staff_user, inspector)
    client.force_login(staff_user)

    page = client.get(URL, {"queue": key}).context["desk"]

    assert page.counts[key] == 4
    assert not page.capped(key)


def test_pages_cover_the_first_rows_past_the_cap(staff_user, organization, monkeypatch):
    monkeypatch.setattr(desk, "COUNT_CAP", 6)
    desk_seed.applications(organization, 9, A.SUBMITTED)

    page = desk.desk_page(key="to_review", filters={}, page=9, per_page=2)

    assert page.counts["to_review"] == 7
    assert page.pages == 3 and page.page == 3


def test_payments_count_each_application_once(organization):
    both = desk_seed.applications(organization, 2, A.SUBMITTED)
    desk_seed.discrepancies(desk_seed.invoices(both, paid=True))
    desk_seed.discrepancies(desk_seed.invoices(both, paid=True))  # two on one application
    desk_seed.invoices(both, paid=False, due_days_from_now=-2)
    overdue_only = desk_seed.applications(organization, 1, A.SUBMITTED)
    desk_seed.invoices(overdue_only, paid=False, due_days_from_now=-2)
    discrepancy_only = desk_seed.applications(organization, 1, A.SUBMITTED)
    desk_seed.discrepancies(desk_seed.invoices(discrepancy_only, paid=True))
    not_due = desk_seed.applications(organization, 1, A.SUBMITTED)
    desk_seed.invoices(not_due, paid=False, due_days_from_now=3)

    assert desk.queue_count("payments", {}) == 4
    assert desk.queue_queryset("payments", {}).count() == 4


def test_payments_count_follows_the_filters(organization):
    overdue = desk_seed.applications(organization, 1, A.SUBMITTED)
    desk_seed.invoices(overdue, paid=False, due_days_from_now=-2)
    discrepancy = desk_seed.applications(organization, 1, A.SUBMITTED, kind=ApplicationKind.CHANGE)
    desk_seed.discrepancies(desk_seed.invoices(discrepancy, paid=True))
    kind = overdue[0].kind
    province = overdue[0].company_province
    other_province = next(p for p in Province.values if p != province)

    for filters in (
        {"kind": kind},
        {"kind": ApplicationKind.CHANGE},
        {"province": province},
        {"province": other_province},
        {},
    ):
        assert desk.queue_count("payments", filters) == (
            desk.queue_queryset("payments", filters).count()
        ), filters
    assert desk.queue_count("payments", {"province": other_province}) == 0
