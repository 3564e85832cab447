import hashlib
import io
import re

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from inspections import services
from inspections.constants import FindingResult, Requirement
from inspections.models import InspectionReport
from inspections.tasks import render_inspection_report
from tests.inspections.factories import make_inspection, png_upload, record_all


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    # Long words wrap in table cells ("non-" / "compliance"): join them back.
    return re.sub(r"-\s+", "-", " ".join(text.split()))


@pytest.fixture
def failed_with_details(in_progress, inspector, django_capture_on_commit_callbacks):
    record_all(in_progress, majors=[Requirement.DATA_PROTECTION], minors=[Requirement.SOPS])
    services.findings_save_draft(
        inspection=in_progress,
        actor=inspector,
        findings={Requirement.DATA_PROTECTION: {"note": "Recordings on a shared drive"}},
        interviews=[
            {"role": "Team leader", "number_interviewed": 2, "notes": "Knows the escalation path"},
            {"role": "Agent", "number_interviewed": 6, "notes": ""},
        ],
        corrective_actions="Move the recordings to encrypted storage with access logs.",
    )
    services.evidence_add(
        inspection=in_progress, actor=inspector, uploaded_file=png_upload("server-room.png")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_submit(inspection=in_progress, actor=inspector)
    return in_progress


def test_submitting_renders_the_report_after_commit(failed_with_details):
    report = InspectionReport.objects.get(inspection=failed_with_details)
    data = report.file.read()
    assert data.startswith(b"%PDF")
    assert report.sha256 == hashlib.sha256(data).hexdigest()
    assert report.size == len(data)
    assert report.file.name.startswith("inspections/reports/")


def test_the_report_contains_the_findings(failed_with_details):
    inspection = failed_with_details
    application = inspection.application
    text = pdf_text(InspectionReport.objects.get(inspection=inspection).file.read())

    assert application.reference in text
    assert (application.company_legal_name or application.organization.legal_name) in text
    assert inspection.inspector.get_full_name() in text
    with translation.override(settings.LANGUAGE_CODE):  # the report's language
        labels = [
            str(Requirement.BUSINESS_ENTITY.label),
            str(Requirement.DATA_PROTECTION.label),
            str(Requirement.SOPS.label),
            str(FindingResult.MAJOR.label),
            str(FindingResult.MINOR.label),
            str(FindingResult.COMPLIANT.label),
            gettext("FAILED"),
            gettext("Staff interviews"),
            gettext("Corrective actions"),
        ]
    for label in [
        *labels,
        "Recordings on a shared drive",
        "Checked sops.",
        "Team leader",
        "Knows the escalation path",
        "Move the recordings to encrypted storage with access logs.",
        "server-room.png",
    ]:
        assert label in text, label
    with translation.override(settings.LANGUAGE_CODE):
        # A new registration has no certificate to display yet.
        assert str(Requirement.CERTIFICATE_DISPLAYED.label) not in text


def test_the_task_is_idempotent(failed_with_details, tmp_path):
    report = InspectionReport.objects.get(inspection=failed_with_details)
    files_before = sorted(p.name for p in (tmp_path / "private/inspections/reports").iterdir())

    assert render_inspection_report.delay(failed_with_details.pk).get() == report.pk
    assert render_inspection_report(failed_with_details.pk) == report.pk

    assert InspectionReport.objects.count() == 1
    assert InspectionReport.objects.get().sha256 == report.sha256
    files_after = sorted(p.name for p in (tmp_path / "private/inspections/reports").iterdir())
    assert files_after == files_before


def test_a_second_run_returns_before_rendering(failed_with_details, monkeypatch):
    import registrasi.pdf

    def explode(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(registrasi.pdf, "render_pdf", explode)
    assert render_inspection_report(failed_with_details.pk) is not None


def test_no_report_for_an_inspection_not_submitted(in_progress):
    assert render_inspection_report(in_progress.pk) is None
    assert render_inspection_report(999_999) is None
    assert not InspectionReport.objects.exists()


def test_a_passed_inspection_report_says_passed(db, django_capture_on_commit_callbacks):
    inspection = make_inspection("in_progress", kind="renewal")
    record_all(inspection)
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_submit(inspection=inspection, actor=inspection.inspector)
    text = pdf_text(InspectionReport.objects.get(inspection=inspection).file.read())
    with translation.override(settings.LANGUAGE_CODE):
        assert gettext("PASSED") in text
        assert str(Requirement.CERTIFICATE_DISPLAYED.label) in text
        assert gettext("None required.") in text


def test_the_task_routes_to_the_pdf_queue(settings):
    from registrasi.celery import app

    route = app.amqp.router.route({}, render_inspection_report.name)
    assert route["queue"].name == "pdf"


def test_the_download_helper_sends_the_pdf_as_attachment(failed_with_details):
    report = InspectionReport.objects.get(inspection=failed_with_details)
    response = services.inspection_report_response(report=report)
    body = b"".join(response.streaming_content)

    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert failed_with_details.application.reference in response["Content-Disposition"]
    assert hashlib.sha256(body).hexdigest() == report.sha256
    assert default_storage.exists(report.file.name)
