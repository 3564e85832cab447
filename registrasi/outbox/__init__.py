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

import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

# How long a handover owns its row; past this a crashed handover's row is free again.
CLAIM_SECONDS = 60


def enqueue(task_name: str, *args) -> None:
    """Run Celery task `task_name(*args)` once the current transaction commits, even if the
    broker is down then (the relay retries). Arguments must be JSON (ids, not objects)."""
    from registrasi.outbox.models import OutboxMessage

    message = OutboxMessage.objects.create(task_name=task_name, args=list(args))
    transaction.on_commit(partial(hand_over, message.pk))


def pending():
    from registrasi.outbox.models import OutboxMessage

    return OutboxMessage.objects.all()


def _claim(pk: int, now) -> bool:
    from registrasi.outbox.models import OutboxMessage

    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    until = now + datetime.timedelta(seconds=CLAIM_SECONDS)
    return OutboxMessage.objects.filter(free, pk=pk).update(claimed_until=until) == 1


def _publish(message) -> None:
    from registrasi.celery import app

    if message.task_name not in app.tasks:
        app.loader.import_default_modules()  # every app's tasks module (autodiscovery)
    # .delay, not send_task: it honours eager mode (development) and test doubles.
    app.tasks[message.task_name].delay(*message.args)


def hand_over(pk: int) -> bool:
    """Give one row's task to Celery and delete the row; True when that worked. Broker
    errors are logged and the row stays for the relay (no transaction is held meanwhile)."""
    from registrasi.celery import app
    from registrasi.outbox.models import OutboxMessage

    if not _claim(pk, timezone.now()):
        return False  # handed over already, or another process is doing it
    message = OutboxMessage.objects.get(pk=pk)
    try:
        _publish(message)
    except Exception as exc:  # the broker (or an eager task) failed: keep the row, log
        OutboxMessage.objects.filter(pk=pk).update(
            claimed_until=None,
            attempts=message.attempts + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        logger.warning("outbox: %s not handed over, will retry: %s", message, exc)
        if app.conf.task_always_eager and app.conf.task_eager_propagates:
            raise  # development and tests: an eager task's error shows
        return False
    OutboxMessage.objects.filter(pk=pk).delete()
    return True


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
    handed = 0
    for pk in ids:
        if hand_over(pk):
            handed += 1
        elif OutboxMessage.objects.filter(pk=pk, claimed_until__isnull=True).exists():
            break  # it failed: the broker is unreachable
    if ids:
        logger.info("outbox relay: handed over %s of %s", handed, len(ids))
    return handed
