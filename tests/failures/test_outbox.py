"""The transactional outbox (registrasi.outbox): a committed change always gets its work done,
and the person always sees success for work that succeeded, even with the broker down."""

import contextlib
import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from certificates.models import Certificate
from registrasi import outbox
from registrasi.celery import app as celery_app
from registrasi.outbox.models import OutboxMessage
from tests.certificates.factories import quick_passed_application
from tests.factories import StaffFactory
from tests.worker import _reset_producer_pools

RENDER = "certificates.tasks.render_certificate_pdf"
NOTIFY = "registrasi.audit.tasks.send_event_emails"
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@contextlib.contextmanager
def broker_down():
    """Celery publishes to a broker that refuses connections (tasks not eager)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = UNREACHABLE_BROKER, False
    _reset_producer_pools(celery_app)
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        _reset_producer_pools(celery_app)


def approve_through_the_page(client, application):
    client.force_login(StaffFactory())
    return client.post(
        reverse("certificates:approve", args=[application.pk]),
        {"confirm": "1", "expected_state": application.state},
    )


@pytest.mark.django_db
def test_a_task_is_written_in_the_transaction_and_handed_over_after_commit(
    django_capture_on_commit_callbacks,
):
    application = quick_passed_application()
    # The application's own emails (same task) wait from the steps before the approval.
    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        from certificates.services import application_approve

        application_approve(application=application, actor=StaffFactory())
        approval_rows = OutboxMessage.objects.exclude(pk__in=before)
        assert {NOTIFY, RENDER} <= set(approval_rows.values_list("task_name", flat=True))
    mail.outbox.clear()
    for callback in callbacks:
        callback()
    # Handed over (eager: ran) and deleted.
    assert not approval_rows.filter(task_name__in=[NOTIFY, RENDER]).exists()
    certificate = Certificate.objects.get(application=application)
    assert certificate.pdf
    assert [certificate.number in m.subject for m in mail.outbox] == [True]


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_task():
    with contextlib.suppress(RuntimeError), transaction.atomic():
        outbox.enqueue(RENDER, 1)
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_page_succeeds_and_the_row_waits(client):
    application = quick_passed_application()
    mail.outbox.clear()
    with broker_down():
        response = approve_through_the_page(client, application)
    certificate = Certificate.objects.get(application=application)
    assert response.status_code == 302
    assert response.url == reverse("certificates:detail", args=[certificate.pk])
    rows = list(OutboxMessage.objects.order_by("task_name"))
    assert {NOTIFY, RENDER} <= {r.task_name for r in rows}
    assert all(r.claimed_until is None for r in rows)  # free for the relay
    assert [(r.attempts, bool(r.last_error)) for r in rows if r.attempts] == [(1, True)]
    assert mail.outbox == [] and not certificate.pdf
    # The person retries: told it already happened, by them, not "someone else".
    again = client.post(
        reverse("certificates:approve", args=[application.pk]),
        {"confirm": "1", "expected_state": "inspection_passed"},
        follow=True,
    )
    text = again.content.decode()
    assert "You already did this" in text and "someone else" not in text


@pytest.mark.django_db(transaction=True)
def test_the_relay_hands_over_only_rows_older_than_its_delay(settings):
    settings.OUTBOX_RELAY_AFTER_SECONDS = 30
    start = timezone.now()
    with broker_down(), time_machine.travel(start, tick=False):
        with transaction.atomic():
            outbox.enqueue(RENDER, 999_999)
        assert outbox.relay() == 0  # too young: its own handover may still be under way
    with time_machine.travel(start + datetime.timedelta(seconds=31), tick=False):
        with broker_down():
            assert outbox.relay() == 0  # broker still down: stays, counted
        assert OutboxMessage.objects.get().attempts == 2
        call_command("relay_outbox")  # eager again: the task runs ("missing" certificate)
    assert not OutboxMessage.objects.exists()


def test_the_relay_runs_every_minute_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-relay"]
    assert entry["task"] == "registrasi.outbox.tasks.relay_outbox"
    assert entry["schedule"] <= 60
    celery_app.loader.import_default_modules()
    assert entry["task"] in celery_app.tasks


@pytest.mark.worker
def test_broker_down_at_commit_then_the_pdf_and_email_arrive_through_the_relay(
    celery_worker_redis, client
):
    with broker_down():  # from the start: nothing reaches the worker before the relay
        application = quick_passed_application()
        response = approve_through_the_page(client, application)
    assert response.status_code == 302  # a success page, not a 500
    certificate = Certificate.objects.get(application=application)
    waiting = OutboxMessage.objects.count()
    assert waiting >= 2
    assert not any(certificate.number in m.subject for m in mail.outbox)
    # The certificate's email and the application's own (the same task) wait alike.
    emails = OutboxMessage.objects.filter(task_name=NOTIFY).count()

    # The broker is back: the next relay run hands every task to the real worker.
    assert outbox.relay(older_than=0) == waiting
    assert celery_worker_redis.wait_for(RENDER, timeout=60).retval == "rendered"
    celery_worker_redis.wait_for(NOTIFY, count=emails, timeout=30)
    assert [run.retval for run in celery_worker_redis.finished(NOTIFY)] == [1] * emails
    # Every row was handed over (on SQLite a deletion can collide with the worker thread's
    # write: the row then stays claimed until the relay finds it again, harmlessly).
    assert not OutboxMessage.objects.filter(claimed_until__isnull=True).exists()
    certificate.refresh_from_db()
    assert certificate.pdf
    issued = [m.to for m in mail.outbox if certificate.number in m.subject]
    assert issued == [[application.created_by.email]]
