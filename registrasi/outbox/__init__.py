"""The transactional outbox: a committed change always gets its background work done.

A service calls `outbox.enqueue("app.tasks.name", *ids)` inside its transaction. That writes
an OutboxMessage row in the same transaction, so the row exists exactly when the change does.
After the commit the row is handed to Celery and deleted; if the broker is unreachable (or
the process dies first) the error is logged, never raised to the person who made the change,
and the row stays. The relay (`registrasi.outbox.tasks.relay_outbox` on the beat schedule,
and `manage.py relay_outbox`) hands over every row still pending.

A row may be handed over twice (a crash after the broker took it, before the row was
deleted): every task is idempotent, so the second run finds its work done.

Libraries considered: django-outbox-pattern publishes to a STOMP broker (RabbitMQ), not to
Celery, and would add a second messaging system; django-transactional-outbox and the like
are young, little used, and also bring their own consumers. What Celery needs is one table
and two functions, so they live here.
"""

import contextlib
import datetime
import logging

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

# How long a handover owns its row; past this a crashed handover's row is free again.
CLAIM_SECONDS = 60


class _Batch(list):
    """The rows one transaction wrote, handed over together once it commits: every row is
    claimed before the first task is published (a fast worker then finds them claimed)."""

    def flush(self):
        hand_over_many(list(self))


def enqueue(task_name: str, *args) -> None:
    """Run Celery task `task_name(*args)` once the current transaction commits, even if the
    broker is down then (the relay retries). Arguments must be JSON (ids, not objects)."""
    from registrasi.outbox.models import OutboxMessage

    message = OutboxMessage.objects.create(task_name=task_name, args=list(args))
    if not transaction.get_connection().in_atomic_block:
        hand_over(message.pk)  # autocommit: the row is committed already
        return
    _current_batch().append(message.pk)


def enqueue_many(task_name: str, calls: list) -> None:
    """`enqueue` for many calls of one task (`calls`: one argument list each) in one INSERT:
    a scan that finds a thousand reminders due writes their rows in a few queries."""
    from registrasi.outbox.models import OutboxMessage

    if not calls:
        return
    rows = [OutboxMessage(task_name=task_name, args=list(args)) for args in calls]
    pks = [m.pk for m in OutboxMessage.objects.bulk_create(rows)]
    if not transaction.get_connection().in_atomic_block:
        hand_over_many(pks)
        return
    _current_batch().extend(pks)


def _current_batch() -> _Batch:
    connection = transaction.get_connection()
    batch = getattr(connection, "_outbox_batch", None)
    here = set(connection.savepoint_ids)
    registered = batch is not None and any(
        func == batch.flush and sids == here for sids, func, _robust in connection.run_on_commit
    )
    if not registered:
        batch = connection._outbox_batch = _Batch()
        transaction.on_commit(batch.flush)
    return batch


def pending():
    from registrasi.outbox.models import OutboxMessage

    return OutboxMessage.objects.all()


def _claim(pks: list[int], now) -> list[int]:
    """Take the rows no other handover holds; returns their ids."""
    from registrasi.outbox.models import OutboxMessage

    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    until = now + datetime.timedelta(seconds=CLAIM_SECONDS)
    rows = OutboxMessage.objects.filter(free, pk__in=pks)
    claimed = list(rows.values_list("pk", flat=True))
    OutboxMessage.objects.filter(free, pk__in=claimed).update(claimed_until=until)
    return claimed


def _publish(message) -> None:
    from registrasi.celery import app

    if message.task_name not in app.tasks:
        app.loader.import_default_modules()  # every app's tasks module (autodiscovery)
    # .delay, not send_task: it honours eager mode (development) and test doubles.
    app.tasks[message.task_name].delay(*message.args)


def hand_over(pk: int) -> bool:
    """Give one row's task to Celery and delete the row; True when that worked."""
    return hand_over_many([pk]) == 1


def hand_over_many(pks: list[int]) -> int:
    """Give the rows' tasks to Celery and delete the rows; returns how many were handed
    over. Nothing is raised to the caller (a request whose change committed): a broker or
    database error is logged and the row stays for the relay. In eager mode (development,
    tests) a failing task's error propagates, as eager tasks' errors do."""
    from registrasi.celery import app
    from registrasi.outbox.models import OutboxMessage

    try:
        claimed = _claim(pks, timezone.now())
        messages = list(OutboxMessage.objects.filter(pk__in=claimed).order_by("pk"))
    except DatabaseError as exc:
        logger.warning("outbox: rows %s not claimed, the relay will hand them over: %s", pks, exc)
        return 0
    handed = []
    for index, message in enumerate(messages):
        try:
            _publish(message)
        except Exception as exc:  # the broker (or an eager task) failed: keep the row, log
            _release(message, exc, untried=[m.pk for m in messages[index + 1 :]])
            _forget(handed)
            if app.conf.task_always_eager and app.conf.task_eager_propagates:
                raise  # development and tests: an eager task's error shows
            return len(handed)  # the broker is down: the others wait for the relay too
        handed.append(message.pk)
    _forget(handed)
    return len(handed)


def _release(message, error, untried: list[int]) -> None:
    from registrasi.outbox.models import OutboxMessage

    logger.warning("outbox: %s not handed over, will retry: %s", message, error)
    with contextlib.suppress(DatabaseError):
        OutboxMessage.objects.filter(pk=message.pk).update(
            claimed_until=None,
            attempts=message.attempts + 1,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
    with contextlib.suppress(DatabaseError):
        # The rows claimed with it were not tried: free them for the relay at once.
        OutboxMessage.objects.filter(pk__in=untried).update(claimed_until=None)


def _forget(pks: list[int]) -> None:
    from registrasi.outbox.models import OutboxMessage

    try:
        OutboxMessage.objects.filter(pk__in=pks).delete()
    except DatabaseError as exc:
        # Handed over but still there: once the claim lapses the relay hands them over
        # again, and the idempotent tasks do nothing the second time.
        logger.warning("outbox: rows %s handed over but not deleted: %s", pks, exc)


def relay(*, older_than: float | None = None, limit: int = 500) -> int:
    """Hand over the rows pending for more than `older_than` seconds (default
    settings.OUTBOX_RELAY_AFTER_SECONDS: younger ones are still being handed over after
    their commit). Stops at the first failure: the broker is down, the next run goes on."""
    from registrasi.outbox.models import OutboxMessage

    if older_than is None:
        older_than = settings.OUTBOX_RELAY_AFTER_SECONDS
    before = timezone.now() - datetime.timedelta(seconds=older_than)
    ids = list(
        OutboxMessage.objects.filter(created_at__lte=before)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    handed = hand_over_many(ids)
    if ids:
        logger.info("outbox relay: handed over %s of %s", handed, len(ids))
    return handed
