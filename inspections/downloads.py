"""Downloads of an inspection's files: HTTP responses, kept out of the services. The view
checks that the person may see the inspection first."""

from django.http.response import HttpResponseBase

from inspections.models import EvidencePhoto, InspectionReport
from registrasi.uploads import download_response


def inspection_report_response(*, report: InspectionReport) -> HttpResponseBase:
    reference = report.inspection.application.reference or report.inspection_id
    return download_response(
        report.file,
        filename=f"inspection-report-{reference}-{report.inspection_id}.pdf",
        content_type="application/pdf",
    )


def evidence_download_response(*, photo: EvidencePhoto) -> HttpResponseBase:
    return download_response(
        photo.file, filename=photo.original_name, content_type=photo.content_type
    )
