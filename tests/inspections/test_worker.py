"""The report and the emails through Redis and a real worker (see tests/worker.py; the
fixture is imported in conftest.py)."""

import io

import pytest
from django.core import mail
from pypdf import PdfReader

from inspections import services
from inspections.constants import Requirement
from inspections.models import InspectionReport
from inspections.tasks import render_inspection_report
from tests.inspections.factories import make_inspection, record_all

pytestmark = pytest.mark.worker
RENDER = "inspections.tasks.render_inspection_report"
EMAIL = "registrasi.audit.tasks.send_event_emails"


@pytest.fixture
def ready(transactional_db):
    """Built before the worker starts (tasks still eager): a worker writing while this thread
    writes would lock SQLite's shared in-memory test database."""
    inspection = make_inspection("in_progress")
    record_all(inspection, minors=[Requirement.SOPS])
    mail.outbox.clear()
    return inspection


def test_submitting_renders_the_report_on_the_pdf_queue(ready, celery_worker_redis):
    inspection = ready
    services.inspection_submit(inspection=inspection, actor=inspection.inspector)

    # Both tasks finish before this thread reads (the worker takes either queue first).
    run = celery_worker_redis.wait_for(RENDER)
    emailed = celery_worker_redis.wait_for(EMAIL)
    assert (run.state, run.args, run.routing_key) == ("SUCCESS", (inspection.pk,), "pdf")
    assert (emailed.state, emailed.routing_key) == ("SUCCESS", "default")
    reference = inspection.application.reference
    assert mail.outbox and all(reference in m.subject for m in mail.outbox)
    report = InspectionReport.objects.get(inspection=inspection)
    assert run.retval == report.pk
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(report.file.read())).pages).split()
    )
    assert inspection.application.reference in text
    assert "Checked sops." in text

    # A redelivered render finds the report and stores nothing new.
    render_inspection_report.delay(inspection.pk)
    again = celery_worker_redis.wait_for(RENDER, count=2)
    assert (again.state, again.retval) == ("SUCCESS", report.pk)
    assert InspectionReport.objects.count() == 1
