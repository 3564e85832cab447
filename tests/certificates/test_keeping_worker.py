"""The daily scan end to end: a real Celery worker through Redis, the reminder emails
delivered to an SMTP server on this machine (aiosmtpd)."""

import datetime
import email
import socket
from email.header import decode_header, make_header

import pytest
from django.db import connections
from django.template.defaultfilters import date as format_date
from django.utils import translation

from certificates.models import Certificate, ExpiryReminder
from certificates.services import today
from certificates.tasks import daily_scan
from tests.certificates.factories import make_certificate

pytestmark = pytest.mark.worker
SCAN = "certificates.tasks.daily_scan"
REMINDER = "registrasi.audit.tasks.send_event_emails"


class Collector:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield collector
    finally:
        controller.stop()


def _subject(raw: bytes) -> tuple[str, str]:
    message = email.message_from_bytes(raw)
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    return str(make_header(decode_header(message["Subject"]))), body


@pytest.mark.django_db(transaction=True)
def test_the_daily_scan_emails_the_reminders_through_smtp(
    request, organization, applicant, member, staff_user
):
    applicant.language = "id"
    applicant.save(update_fields=["language"])
    member.language = "en"
    member.save(update_fields=["language"])
    certificate = make_certificate(organization=organization, quick=True, staff=staff_user)
    # Issued today (real time: the worker runs on the real clock); its last day is made to
    # fall 30 days ahead, so today is its 30-day milestone. Not a state: a plain date column.
    last_day = today() + datetime.timedelta(days=30)
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=last_day)

    worker = request.getfixturevalue("celery_worker_redis")
    smtp = request.getfixturevalue("smtp_server")
    daily_scan.delay()
    scan = worker.wait_for(SCAN)
    assert scan.state == "SUCCESS" and scan.retval["reminders"] == 1
    sent = worker.wait_for(REMINDER)
    reminder = ExpiryReminder.objects.get(certificate=certificate, milestone=30)
    assert sent.state == "SUCCESS" and sent.retval == 2 and sent.args == (reminder.event_id,)

    by_recipient = {rcpt[0]: _subject(raw) for rcpt, raw in smtp.messages}
    assert set(by_recipient) == {applicant.email, member.email}
    subject, body = by_recipient[member.email]
    assert subject == f"Registration certificate {certificate.number} expires in 30 days"
    with translation.override("en"):
        assert format_date(last_day, "j F Y") in body
    subject, body = by_recipient[applicant.email]
    assert certificate.number in subject
    with translation.override("id"):
        assert format_date(last_day, "j F Y") in body  # Indonesian month name

    # A second scan (beat firing twice) sends nothing more.
    daily_scan.delay()
    again = worker.wait_for(SCAN, count=2)
    assert again.retval["reminders"] == 0
    assert len(smtp.messages) == 2
    assert ExpiryReminder.objects.filter(certificate=certificate, skipped=False).count() == 1
    connections.close_all()
