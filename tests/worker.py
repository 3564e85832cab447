"""A real Celery worker for tests, consuming from Redis.

    from tests.worker import celery_worker_redis  # noqa: F401  (in a conftest or test module)

    @pytest.mark.worker
    def test_something(celery_worker_redis):
        ...                                   # commit something that enqueues a task
        done = celery_worker_redis.wait_for("certificates.tasks.render_certificate_pdf")
        assert done.state == "SUCCESS"

The worker runs in a thread of the test process (celery.contrib.testing.worker.start_worker,
solo pool) against Redis at REDIS_URL, or redis://127.0.0.1:6379/8 when that is unset; the
test is skipped, saying why, only when Redis does not answer. Its keys carry a prefix of
their own (kombu's global_keyprefix), so test sessions sharing a Redis database do not
consume each other's messages. Messages really travel through
Redis (JSON serialization, routing to the `pdf` queue, acks_late), and the task runs on the
worker thread with its own database connection: hence `transactional_db` (works with
PostgreSQL and with SQLite's shared in-memory test database). tests/conftest.py makes tasks
eager for every test; this fixture turns that off for the duration and restores it.

Waiting uses Celery's task_postrun signal (the worker runs in this process), not sleeps.
"""

import os
import threading
import uuid
from dataclasses import dataclass, field

import pytest

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/8"
QUEUES = ("default", "pdf")


@dataclass
class TaskRun:
    name: str
    task_id: str
    args: tuple
    state: str
    retval: object
    routing_key: str


@dataclass
class WorkerHandle:
    app: object
    worker: object
    broker_url: str
    runs: list = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def record(self, run: TaskRun):
        with self._changed:
            self.runs.append(run)
            self._changed.notify_all()

    def finished(self, name: str) -> list[TaskRun]:
        """Runs of task `name` that ended (succeeded or failed; not the ones that retried)."""
        return [r for r in self.runs if r.name == name and r.state in ("SUCCESS", "FAILURE")]

    def wait_for(self, name: str, count: int = 1, timeout: float = 120) -> TaskRun:
        """Block until `count` runs of task `name` have finished; return the last one."""
        with self._changed:
            ok = self._changed.wait_for(lambda: len(self.finished(name)) >= count, timeout)
        if not ok:
            seen = [(r.name, r.state) for r in self.runs]
            raise AssertionError(f"{name} did not finish {count}x within {timeout}s; ran: {seen}")
        return self.finished(name)[count - 1]


def _redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL


def _skip_unless_redis_answers(url: str):
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {url} does not answer ({exc}); a real worker needs Redis.")


def _reset_producer_pools(app):
    """The app caches its broker connection pools: drop the references so the next message
    uses the current broker URL. (kombu keeps the pools per URL; closing them would break
    the next test that uses the same URL.)"""
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def _delete_keys(url, prefix):
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


def _purge(app):
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in QUEUES:
            channel.queue_declare(queue=queue, durable=True, auto_delete=False)
            channel.queue_purge(queue)


@pytest.fixture
def celery_worker_redis(transactional_db):
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from registrasi.celery import app

    url = _redis_url()
    _skip_unless_redis_answers(url)
    conf = app.conf
    saved = {
        key: conf[key]
        for key in (
            "broker_url",
            "broker_read_url",
            "broker_write_url",
            "broker_transport_options",
            "task_always_eager",
        )
    }
    # Every key this worker uses carries its own prefix: test sessions of other people that
    # share the Redis database (and their workers) never see these messages, nor we theirs.
    prefix = f"test-{uuid.uuid4().hex[:12]}:"
    conf.update(
        broker_url=url,
        broker_read_url=None,
        broker_write_url=None,
        broker_transport_options={
            **(saved["broker_transport_options"] or {}),
            "global_keyprefix": prefix,
        },
        task_always_eager=False,
    )
    _reset_producer_pools(app)
    _purge(app)
    handle = WorkerHandle(app=app, worker=None, broker_url=url)

    def on_postrun(sender=None, task_id=None, args=None, retval=None, state=None, **kwargs):
        if not threading.current_thread().daemon:
            return  # an eager run in the test thread, not the worker's
        delivery = getattr(sender.request, "delivery_info", None) or {}
        handle.record(
            TaskRun(
                name=sender.name,
                task_id=task_id,
                args=tuple(args or ()),
                state=state,
                retval=retval,
                routing_key=delivery.get("routing_key") or "",
            )
        )
        # The worker thread's database connection must not outlive the test (PostgreSQL
        # refuses to drop a test database that still has sessions).
        connections.close_all()

    task_postrun.connect(on_postrun, weak=False)
    try:
        with start_worker(
            app,
            pool="solo",
            concurrency=1,
            queues=list(QUEUES),
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=60,
        ) as worker:
            handle.worker = worker
            yield handle
    finally:
        task_postrun.disconnect(on_postrun)
        conf.update(saved)
        _reset_producer_pools(app)
        _delete_keys(url, prefix)
