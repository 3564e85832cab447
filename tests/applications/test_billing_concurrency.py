"""20 identical callbacks at once on PostgreSQL: one payment row, one notification."""

import contextlib
import json
import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from applications.billing import signing
from applications.billing.models import BillingPayment
from applications.models import Application
from registrasi.audit.models import AuditEvent, EmailDelivery
from tests.applications.billing_helpers import post_callback, report, submitted_with_code

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _at_once(requests_):
    barrier = threading.Barrier(len(requests_))
    statuses = [None] * len(requests_)

    def run(index, send):
        try:
            barrier.wait(timeout=30)
            statuses[index] = send(Client()).status_code
        except Exception as exc:  # recorded, then asserted
            statuses[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests_)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.parametrize("resent", [False, True], ids=["identical", "resent-with-new-stamps"])
def test_twenty_callbacks_at_once_make_one_payment_and_one_notification(applicant, resent):
    application, code = submitted_with_code(applicant, lambda execute: contextlib.nullcontext())
    mail.outbox.clear()
    body = json.dumps(report(code)).encode()
    now = int(time.time())

    def sender(i):
        stamp = now - (i if resent else 0)
        return lambda client: post_callback(
            client, body=body, timestamp=stamp, signature=signing.signature(body, str(stamp))
        )

    statuses = _at_once([sender(i) for i in range(20)])

    assert all(s in (200, 409) for s in statuses), statuses
    assert statuses.count(200) == (20 if resent else 1), statuses
    assert BillingPayment.objects.count() == 1
    assert Application.objects.get(pk=application.pk).invoice.is_paid
    events = AuditEvent.objects.filter(action="billing_paid")
    assert events.count() == 1
    receipts = EmailDelivery.objects.filter(event=events.get())
    assert receipts.count() == len({m.to[0] for m in mail.outbox}) == len(mail.outbox)
    assert applicant.email in {m.to[0] for m in mail.outbox}
