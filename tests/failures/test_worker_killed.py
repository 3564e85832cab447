"""A whole worker killed (SIGKILL) in the middle of a task: the message it had taken is not
lost; another worker runs it once the broker's visibility timeout (configured small here,
CELERY_VISIBILITY_TIMEOUT) has passed. Real worker processes, Redis and aiosmtpd; the
workers reach the test database, so this needs PostgreSQL."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from registrasi.accounts.services import invitation_create
from registrasi.celery import app as celery_app
from tests.failures.test_smtp import free_port, wait_until
from tests.worker import DEFAULT_REDIS_URL, _reset_producer_pools

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 3

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="worker processes must reach the test database: DATABASE_URL=postgres://…",
    ),
]


class HangingInbox:
    """The first delivery hangs until released (the worker is killed meanwhile); later
    deliveries are accepted and kept."""

    def __init__(self):
        self.first_started = threading.Event()
        self.release = threading.Event()
        self.delivered = []
        self.calls = 0

    async def handle_DATA(self, server, session, envelope):
        self.calls += 1
        if self.calls == 1:
            self.first_started.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 try again"
        self.delivered.append(tuple(envelope.rcpt_tos))
        return "250 OK"


def start_worker(name, env):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "registrasi", "worker", "-Q", "default"]
        + ["-P", "solo", "-n", f"{name}@%h", "--without-mingle", "--without-gossip"]
        + ["--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def broker(transactional_db):
    """Tasks published for real to Redis (no key prefix: the worker processes use none)."""
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager, conf.broker_transport_options
    conf.broker_url, conf.task_always_eager = url, False
    conf.broker_transport_options = {"visibility_timeout": VISIBILITY_TIMEOUT}
    _reset_producer_pools(celery_app)
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_declare(queue="default", durable=True, auto_delete=False)
        conn.default_channel.queue_purge("default")
    yield url
    conf.broker_url, conf.task_always_eager, conf.broker_transport_options = saved
    _reset_producer_pools(celery_app)


def worker_env(redis_url, smtp_port):
    database = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "registrasi.settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "20",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CELERY_RESTORE_INTERVAL": "1",
    }


def test_a_killed_workers_task_is_run_by_another_worker_within_the_visibility_timeout(
    broker, applicant
):
    port = free_port()
    inbox = HangingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = worker_env(broker, port)
    first = start_worker("first", env)
    second = None
    try:
        invitation_create(
            actor=applicant,
            organization=applicant.organization,
            email="siti@example.test",
            role="member",
        )
        # The first worker took the message and is in the middle of sending: kill it.
        assert inbox.first_started.wait(30), "the first worker never started sending"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        inbox.release.set()
        killed_at = time.monotonic()

        second = start_worker("second", env)
        assert wait_until(lambda: inbox.delivered, timeout=VISIBILITY_TIMEOUT + 20)
        assert time.monotonic() - killed_at < VISIBILITY_TIMEOUT + 20
        assert inbox.delivered == [("siti@example.test",)]
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(20)
        controller.stop()
