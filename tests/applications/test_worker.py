"""One round trip through a real Celery worker and Redis: the task is serialisable, found by
name, and sends the emails once the transaction has committed."""

import threading

import pytest
from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend

from applications import services
from registrasi.audit.models import EmailDelivery
from registrasi.celery import app as celery_app
from tests.applications.factories import ApplicationFactory
from tests.factories import make_applicant

SENT = threading.Event()


class SignallingBackend(EmailBackend):
    """locmem, and tells the test when the worker thread has sent something."""

    def send_messages(self, messages):
        count = super().send_messages(messages)
        SENT.set()
        return count


@pytest.mark.worker
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real broker)")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_submission_email(settings):
    from celery.contrib.testing.worker import start_worker

    settings.EMAIL_BACKEND = f"{__name__}.SignallingBackend"
    celery_app.conf.task_always_eager = False
    SENT.clear()
    applicant = make_applicant(language="en")
    application = ApplicationFactory(created_by=applicant, with_documents=True)
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        services.application_submit(application=application, actor=applicant)
        assert SENT.wait(timeout=60), "the worker did not send the email"
    assert EmailDelivery.objects.filter(recipient=applicant).count() == 1
