"""The staff work queue counts at most a capped number of applications (issue 14): at
100,000 applications its paginator's COUNT(*) of every open one cost more than the rest of
the page. Past the cap it says "more than …"; the filters reach the rest. The cap is lowered
here (registrasi.pagination.CappedPaginator.COUNT_CAP) instead of writing 1,001 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application
from registrasi.pagination import CappedPaginator
from tests.applications.factories import ApplicationFactory
from tests.applications.test_views_queries import QUEUE_QUERIES
from tests.bulk import copies_of_application

CAP = 3


@pytest.fixture
def cap(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", CAP)
    return CAP


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def open_applications(count, staff_user):
    """`count` submitted applications (one through the factory, the others bulk copies)."""
    first = ApplicationFactory(submitted=True, staff=staff_user)
    copies_of_application(first, count - 1)


def queue(staff_client, **params):
    response = staff_client.get(reverse("applications:staff_queue"), params)
    assert response.status_code == 200
    return response


def test_under_the_cap_the_queue_gives_the_exact_count(staff_client, staff_user, cap):
    open_applications(cap, staff_user)
    response = queue(staff_client)
    assert not response.context["page"].paginator.capped
    body = response.content.decode()
    assert f"{cap} applications, oldest first." in body
    assert "More than" not in body


def test_past_the_cap_the_queue_says_more_than(staff_client, staff_user, cap):
    open_applications(cap + 2, staff_user)
    response = queue(staff_client)
    paginator = response.context["page"].paginator
    assert paginator.capped
    assert paginator.count == cap + 1  # counted no further
    body = response.content.decode()
    assert f"More than {cap} applications, oldest first: filter the queue to see the rest." in (
        " ".join(body.split())
    )
    assert f"{cap + 2} applications" not in body


def test_the_documents_to_review_queue_is_capped_too(staff_client, staff_user, cap):
    open_applications(cap + 2, staff_user)
    Application.objects.update(state="under_review", has_documents_to_review=True)
    response = queue(staff_client, state="to_review")
    assert len(response.context["page"].object_list) == cap + 2
    assert response.context["page"].paginator.capped
    assert f"More than {cap} applications" in response.content.decode()


def test_the_cap_is_written_with_the_languages_thousands_separator(
    staff_client, staff_user, monkeypatch
):
    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 1)
    monkeypatch.setattr(CappedPaginator, "cap", 1000)  # shown as the real cap is
    open_applications(2, staff_user)
    assert "More than 1,000 applications" in queue(staff_client).content.decode()


def test_the_queue_counts_at_most_the_cap_without_sorting(staff_client, staff_user, cap):
    open_applications(cap + 2, staff_user)
    with CaptureQueriesContext(connection) as queries:
        queue(staff_client)
    (counted,) = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert f"LIMIT {cap + 1}" in counted
    assert "ORDER BY" not in counted


@pytest.mark.parametrize("rows", [CAP, 30])  # under the cap, then past it (and a full page)
def test_the_capped_queue_runs_a_fixed_number_of_queries(
    staff_client, staff_user, cap, rows, django_assert_num_queries
):
    open_applications(rows, staff_user)
    with django_assert_num_queries(QUEUE_QUERIES):
        response = queue(staff_client)
    assert len(response.context["page"].object_list) == min(rows, 25)
