"""The desk tabs whose page reads its ids first (desk.Queue.ids_first, issue 14) show the
same rows in the same order as the whole queue (the export's query), page after page, and
date each row from the audit event of its entry into its state, else its submission."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from applications.constants import ApplicationState
from applications.models import Application
from certificates import desk
from registrasi.audit.models import AuditEvent
from tests.applications.test_queues import _fill

A = ApplicationState
PER_PAGE = 7


def _spread(key, organization, applicant, staff_user, inspector):
    """16 rows of the queue with submissions in the reverse order of their ids, an event of
    entering the current state for every third, and an older event of another state for
    every second (which must not count)."""
    _fill(key, 16, organization, applicant, staff_user, inspector)
    apps = list(Application.objects.order_by("pk"))
    now = timezone.now()
    for index, app in enumerate(apps):
        app.submitted_at = now - datetime.timedelta(days=30 - index)
        app.save(update_fields=["submitted_at"])
    content_type = ContentType.objects.get_for_model(Application)
    for index, app in enumerate(apps):
        if index % 2 == 0:
            AuditEvent.objects.create(
                action="test", content_type=content_type, object_id=str(app.pk), to_state=A.DRAFT
            )
        if index % 3 == 0:
            AuditEvent.objects.create(
                action="test", content_type=content_type, object_id=str(app.pk), to_state=app.state
            )
    return apps


@pytest.mark.parametrize("key", [k for k, q in desk.QUEUES.items() if q.ids_first])
def test_the_pages_follow_the_whole_queue(organization, applicant, staff_user, inspector, key):
    _spread(key, organization, applicant, staff_user, inspector)
    whole = [row.reference for row in desk.queue_rows(key, {})]
    assert len(whole) == 16

    pages = []
    for number in (1, 2, 3):
        page = desk.desk_page(key=key, filters={}, page=number, per_page=PER_PAGE)
        pages.extend(page.rows)

    assert [row.reference for row in pages] == whole
    if key != "payments":
        # The rows with an event of their entry into the state come last (entered now).
        entered = {
            event.object_id: event.created_at
            for event in AuditEvent.objects.exclude(to_state=A.DRAFT)
        }
        by_reference = {app.reference: str(app.pk) for app in Application.objects.all()}
        for row in pages:
            pk = by_reference[row.reference]
            if pk in entered:
                assert row.since == entered[pk]
        assert [by_reference[row.reference] in entered for row in pages][-6:] == [True] * 6
