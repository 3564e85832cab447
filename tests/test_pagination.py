"""registrasi.pagination.CappedPaginator, shared by the staff queue, the staff certificate list
and the public register (issue 14). Groups are the rows here: the cheapest table to fill."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registrasi.pagination import CappedPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 50)
    return 50


def groups(count):
    Group.objects.bulk_create(Group(name=f"g{n:04}") for n in range(count))
    return Group.objects.filter(name__startswith="g").order_by("name")  # not the roles' groups


def test_under_the_cap_it_pages_as_django_does(cap):
    paginator = CappedPaginator(groups(cap), 25)
    assert not paginator.capped
    assert paginator.count == cap
    assert paginator.num_pages == 2
    assert len(paginator.get_page(2).object_list) == 25


def test_past_the_cap_it_counts_one_row_more_and_pages_through_the_first_cap_rows(cap):
    paginator = CappedPaginator(groups(cap + 20), 25)
    assert paginator.capped
    assert paginator.count == cap + 1
    assert paginator.cap == cap
    # Two whole pages (rows 1 to 50), not a third holding row 51 alone.
    assert paginator.num_pages == 2
    last = paginator.get_page(2)
    assert [g.name for g in last.object_list] == [f"g{n:04}" for n in range(25, 50)]
    assert not last.has_next()
    assert paginator.get_page(9).number == 2


def test_a_cap_smaller_than_a_page_still_shows_a_whole_page(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 3)
    paginator = CappedPaginator(groups(30), 25)
    assert paginator.capped
    assert paginator.num_pages == 1
    assert len(paginator.get_page(1).object_list) == 25


def test_the_count_reads_at_most_cap_plus_one_rows_unsorted(cap):
    paginator = CappedPaginator(groups(cap + 20), 25)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == cap + 1
    (counted,) = [q["sql"] for q in queries]
    assert f"LIMIT {cap + 1}" in counted
    assert "ORDER BY" not in counted


def test_the_certificate_pages_use_the_shared_paginator():
    from certificates.views import common

    assert common.CappedPaginator is CappedPaginator
