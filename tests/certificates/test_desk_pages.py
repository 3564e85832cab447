"""The desk tabs whose page reads its ids first (desk.Queue.ids_first and page_ids, issue 14)
show the same rows in the same order as the whole queue (the export's query), page after
page, and date each row from when it entered its state (Application.state_changed_at)."""

import datetime

import pytest
from django.utils import timezone

from applications.constants import ApplicationState
from applications.models import Application
from certificates import desk
from tests import desk_seed
from tests.applications.test_queues import _fill

A = ApplicationState
PER_PAGE = 7


def _spread(key, organization, applicant, staff_user, inspector):
    """16 rows of the queue, submitted in the reverse order of their ids; every third
    entered its state just now, the others on their submission."""
    _fill(key, 16, organization, applicant, staff_user, inspector)
    apps = list(Application.objects.order_by("pk"))
    now = timezone.now()
    for index, app in enumerate(apps):
        app.submitted_at = now - datetime.timedelta(days=30 - index)
        app.state_changed_at = now if index % 3 == 0 else app.submitted_at
        app.save(update_fields=["submitted_at", "state_changed_at"])
    return apps


PAGED = [k for k, q in desk.QUEUES.items() if q.ids_first or q.page_ids]


@pytest.mark.parametrize("key", PAGED)
def test_the_pages_follow_the_whole_queue(organization, applicant, staff_user, inspector, key):
    apps = _spread(key, organization, applicant, staff_user, inspector)
    whole = [row.reference for row in desk.queue_rows(key, {})]
    assert len(whole) == 16

    pages = []
    for number in (1, 2, 3):
        page = desk.desk_page(key=key, filters={}, page=number, per_page=PER_PAGE)
        pages.extend(page.rows)

    assert [row.reference for row in pages] == whole
    if key != "payments":
        # The rows that entered their state just now come last, each dated so.
        entered = {app.reference: app.state_changed_at for app in apps}
        assert [row.since for row in pages] == [entered[row.reference] for row in pages]
        assert {row.reference for row in pages[-6:]} == {app.reference for app in apps[::3]}


def test_payment_problems_show_overdue_invoices_first_then_discrepancies(organization):
    """Overdue invoices by due date, then the discrepancies without one, on every database
    (PostgreSQL and SQLite sort missing dates differently: the order does not depend on it)."""
    apps = desk_seed.applications(organization, 5, A.SUBMITTED)
    desk_seed.invoices(apps[:1], paid=False, due_days_from_now=-2)
    desk_seed.invoices(apps[1:2], paid=False, due_days_from_now=-9)
    desk_seed.discrepancies(desk_seed.invoices(apps[2:4], paid=False))
    desk_seed.invoices(apps[4:], paid=False, due_days_from_now=3)  # not due yet: no problem

    references = [row.reference for row in desk.desk_page(key="payments", filters={}).rows]
    exported = [row.reference for row in desk.queue_rows("payments", {})]

    assert references[:2] == [apps[1].reference, apps[0].reference]
    assert set(references[2:]) == {apps[2].reference, apps[3].reference}
    assert exported == references
