"""The invitation email through a real Celery worker and Redis (eager mode hides serialization)."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from registrasi.accounts.services import invitation_create
from registrasi.celery import app as celery_app

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real broker)"),
]


def wait_for(condition, timeout=15):
    # The worker runs in another thread: poll until it has done its part, with a deadline.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_invitation_email_is_sent_by_a_real_worker(applicant):
    celery_app.conf.task_always_eager = False  # the autouse fixture restores it
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        invitation, token = invitation_create(
            actor=applicant,
            organization=applicant.organization,
            email="siti@example.test",
            role="member",
        )
        assert wait_for(lambda: len(mail.outbox) == 1)

    assert mail.outbox[0].to == ["siti@example.test"]
    assert f"/accounts/invitation/{token}/" in mail.outbox[0].body
