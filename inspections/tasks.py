"""Background work for inspections: emails and the report PDF. Tasks take ids, re-read
everything and are idempotent.

The emails are sent by the one email task for audit events (registrasi.audit.tasks, with
inspections.notifications.email_plan), which registrasi.services.notify enqueues;
send_inspection_event_email is that task under the name older callers know.
"""

from celery import shared_task
from django.conf import settings
from django.utils import translation

from inspections.models import Inspection, InspectionReport
from inspections.selectors import report_context
from inspections.services import report_store
from registrasi import pdf
from registrasi.audit.tasks import send_event_emails as send_inspection_event_email

__all__ = ["render_inspection_report", "send_inspection_event_email"]


@shared_task(
    name="inspections.tasks.render_inspection_report",
    acks_late=True,
    autoretry_for=(OSError, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def render_inspection_report(inspection_id: int) -> int | None:
    """Render and store the report PDF of a submitted inspection; returns the report id.

    Idempotent: when the report exists already it returns at once without rendering (a
    redelivered or duplicated task). Runs on the `pdf` queue (CELERY_TASK_ROUTES: *.render_*).
    """
    existing = InspectionReport.objects.filter(inspection_id=inspection_id).first()
    if existing is not None:
        return existing.pk
    inspection = Inspection.objects.filter(pk=inspection_id).first()
    if inspection is None or not inspection.is_submitted:
        return None
    # The report is an official record: always in the ministry's language.
    with translation.override(settings.LANGUAGE_CODE):
        rendered = pdf.render_pdf("inspections/pdf/report.html", report_context(inspection))
    report = report_store(inspection=inspection, pdf=rendered.pdf)
    if report is None:  # another run stored it meanwhile
        report = InspectionReport.objects.get(inspection_id=inspection_id)
    return report.pk
