"""Emails through a real Celery worker (Redis) to a real SMTP server (aiosmtpd) that is down
for a while, or that accepts connections and never answers: the emails arrive once it is
back, each reminder once per member, and no database transaction is open meanwhile."""

import contextlib
import datetime
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.db.models import F

from certificates import reminders
from certificates.models import ExpiryReminder
from registrasi.accounts.services import invitation_create
from registrasi.audit.models import EmailDelivery, EmailStatus
from tests.certificates.factories import make_certificate
from tests.factories import make_applicant
from tests.failures.test_outbox import broker_down

pytestmark = pytest.mark.worker
REMINDER = "registrasi.audit.tasks.send_event_emails"
INVITATION = "registrasi.accounts.tasks.send_invitation_email"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler: keeps what arrives, and notes any database session left idle in a
    transaction at that moment (PostgreSQL), i.e. a worker holding one while it sends."""

    def __init__(self):
        self.messages = []
        self.idle_in_transaction = []

    async def handle_DATA(self, server, session, envelope):
        self.idle_in_transaction.append(sessions_idle_in_transaction())
        self.messages.append((tuple(envelope.rcpt_tos), envelope.content.decode("utf8", "replace")))
        return "250 OK"


def sessions_idle_in_transaction() -> int:
    if connection.vendor != "postgresql":
        return 0
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        row = other.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
        ).fetchone()
    return row[0]


@contextlib.contextmanager
def smtp_server(port, inbox):
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield
    finally:
        controller.stop()


@contextlib.contextmanager
def silent_server(port):
    """Accepts connections and never says a word (not even the SMTP greeting)."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(8)
    held, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield held
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


@pytest.fixture
def smtp_settings(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1
    return port


def wait_until(condition, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def retries_of(worker, name) -> int:
    return sum(1 for run in worker.runs if run.name == name and run.state == "RETRY")


def test_smtp_down_for_a_while_then_every_reminder_arrives_once(
    celery_worker_redis, smtp_settings, staff_user
):
    with broker_down():  # the issue emails stay in the outbox: only the reminders travel
        certificate = make_certificate(quick=True, staff=staff_user)
        second = make_applicant(certificate.organization, owner=False)
    members = {certificate.application.created_by.email, second.email}
    on = certificate.expires_on - datetime.timedelta(days=7)

    # Nothing listens on the mail port: the scan records the reminder, the task retries.
    assert len(reminders.send_due_reminders(on=on)) == 1
    assert wait_until(lambda: retries_of(celery_worker_redis, REMINDER) >= 1)
    reminder = ExpiryReminder.objects.get(certificate=certificate, milestone=7)
    assert reminder.delivered_at is None  # recorded, not delivered

    # The next day's scan (the row is older now) enqueues the undelivered reminder again.
    ExpiryReminder.objects.update(sent_at=F("sent_at") - datetime.timedelta(hours=13))
    assert reminders.send_due_reminders(on=on + datetime.timedelta(days=1)) == []

    inbox = Inbox()
    with smtp_server(smtp_settings, inbox):
        celery_worker_redis.wait_for(REMINDER, count=2, timeout=30)
        recipients = sorted(rcpt for rcpts, _body in inbox.messages for rcpt in rcpts)
    assert recipients == sorted(members)  # each member once, though the task ran twice
    reminder.refresh_from_db()
    assert reminder.delivered_at is not None
    receipts = EmailDelivery.objects.filter(event=reminder.event)
    assert {r.status for r in receipts} == {EmailStatus.SENT}
    assert max(r.attempts for r in receipts) >= 1
    assert inbox.idle_in_transaction == [0] * len(inbox.messages)


def test_a_mail_server_that_never_answers_times_out_and_is_retried(
    celery_worker_redis, smtp_settings, applicant
):
    with silent_server(smtp_settings) as held:
        invitation_create(
            actor=applicant,
            organization=applicant.organization,
            email="siti@example.test",
            role="member",
        )
        # EMAIL_TIMEOUT (1 s here) cuts the hung conversation off; the task is retried.
        assert wait_until(lambda: retries_of(celery_worker_redis, INVITATION) >= 1)
        assert held, "the worker never connected"
    inbox = Inbox()
    with smtp_server(smtp_settings, inbox):
        done = celery_worker_redis.wait_for(INVITATION, timeout=30)
    assert done.state == "SUCCESS"
    assert [rcpts for rcpts, _body in inbox.messages] == [("siti@example.test",)]
