"""End to end with a real Celery worker and Redis (see tests/worker.py)."""

import io

import pytest
from django.conf import settings
from django.core import mail
from pypdf import PdfReader

from certificates import services
from certificates.models import Certificate
from certificates.tasks import render_certificate_pdf
from certificates.verification import verify_pdf
from tests.certificates.factories import quick_passed_application
from tests.factories import StaffFactory

pytestmark = pytest.mark.worker
RENDER = "certificates.tasks.render_certificate_pdf"
NOTIFY = "registrasi.audit.tasks.send_event_emails"


def test_approval_renders_signs_and_stores_the_pdf_through_redis(celery_worker_redis):
    from unittest import mock

    from django.template.defaultfilters import date
    from django.utils import translation
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    # The steps before approval hand nothing to the worker: on SQLite the worker thread's
    # writes would lock the tables these steps write (a shared in-memory database).
    with mock.patch("registrasi.outbox.hand_over_many"):
        application = quick_passed_application()
    certificate = services.application_approve(application=application, actor=StaffFactory())
    # Committed (no test transaction): the task went to Redis and the worker took it.
    run = celery_worker_redis.wait_for(RENDER)
    assert (run.state, run.retval, run.args) == ("SUCCESS", "rendered", (certificate.pk,))
    assert run.routing_key == "pdf"
    notified = celery_worker_redis.wait_for(NOTIFY)
    assert notified.routing_key == "default" and notified.retval == 1
    assert [m.to for m in mail.outbox] == [[application.created_by.email]]

    certificate = Certificate.objects.get(pk=certificate.pk)
    data = certificate.pdf.read()
    (signature,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    trust = ValidationContext(
        trust_roots=[load_cert_from_pemder(settings.CERTIFICATE_SIGNING_CERT)]
    )
    status = validate_pdf_signature(signature, trust)
    assert status.intact and status.valid and status.trusted
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert certificate.number in text
    assert certificate.legal_name in text
    with translation.override("id"):
        assert date(certificate.issued_on, "j F Y") in text
        assert date(certificate.expires_on, "j F Y") in text
    check = verify_pdf(data)
    assert check.unaltered and check.certificate == certificate


def test_a_redelivered_render_finds_the_pdf_and_renders_nothing(celery_worker_redis):
    from unittest import mock

    with mock.patch("registrasi.outbox.hand_over_many"):  # see the first test
        application = quick_passed_application()
        staff = StaffFactory()
    with mock.patch("certificates.tasks.render_certificate_pdf.delay"):
        certificate = services.application_approve(application=application, actor=staff)
    # The same message twice, as after a worker died before acknowledging it.
    render_certificate_pdf.delay(certificate.pk)
    render_certificate_pdf.delay(certificate.pk)
    second = celery_worker_redis.wait_for(RENDER, count=2)
    outcomes = sorted(r.retval for r in celery_worker_redis.finished(RENDER))
    assert outcomes == ["exists", "rendered"]
    assert second.state == "SUCCESS"
    certificate.refresh_from_db()
    assert certificate.render_attempts == 1
    assert verify_pdf(certificate.pdf.read()).unaltered


def test_a_failed_render_is_retried_through_redis_with_backoff(celery_worker_redis):
    from unittest import mock

    from certificates import signing

    real_render = signing.render_certificate
    outcomes = iter([RuntimeError("WeasyPrint ran out of memory")])

    def fail_once(certificate):
        error = next(outcomes, None)
        if error is not None:
            raise error
        return real_render(certificate)

    # Nothing reaches the worker until approval has returned: on SQLite a write of the worker
    # thread (the failed attempt releasing its claim) while this thread still writes would
    # meet "database table is locked", and the claim would stay held for its whole lease.
    with mock.patch("registrasi.outbox.hand_over_many"):  # see the first test
        application = quick_passed_application()
        certificate = services.application_approve(application=application, actor=StaffFactory())
    with mock.patch.object(signing, "render_certificate", side_effect=fail_once):
        render_certificate_pdf.delay(certificate.pk)
        done = celery_worker_redis.wait_for(RENDER)
    states = [r.state for r in celery_worker_redis.runs if r.name == RENDER]
    assert states == ["RETRY", "SUCCESS"]
    assert done.retval == "rendered"
    certificate.refresh_from_db()
    assert certificate.render_attempts == 2 and certificate.render_error == ""
    assert verify_pdf(certificate.pdf.read()).unaltered
