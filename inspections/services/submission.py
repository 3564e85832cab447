"""Submission (the assigned inspector) and what follows: the outcome recorded on the
inspection and its application, the report stored once rendered, and the applicant's
resubmission after a failure."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, is_member
from inspections.constants import FindingResult, InspectionState
from inspections.models import Inspection, InspectionReport
from inspections.selectors import missing_results
from inspections.services.checks import (
    refuse_unless_assigned,
    refuse_unless_editable,
    refuse_until_open,
    save_with_file,
)
from inspections.services.recording import inspection_start
from registrasi import outbox
from registrasi.accounts.models import User
from registrasi.audit.services import audit_record
from registrasi.services import (
    NotAllowed,
    ServiceError,
    lock,
    notify,
    refuse_if_stale,
    run_transition,
)


def inspection_submit(
    *, inspection: Inspection, actor: User, expected_state: str | None = None
) -> Inspection:
    """Lock the findings and record the outcome: any major non-compliance fails the
    inspection (corrective actions required), otherwise it passes. The application follows
    (record_pass / record_fail); the applicant is emailed and the report PDF rendered after
    commit."""
    with transaction.atomic():
        locked = lock(inspection)
        refuse_unless_assigned(locked, actor)
        refuse_if_stale(locked, expected_state)
        refuse_unless_editable(locked)
        refuse_until_open(locked)
        missing = missing_results(locked)
        if missing:
            raise ServiceError(
                _("Record a result for every requirement first. Still missing: %(items)s.")
                % {"items": "; ".join(missing)}
            )
        failed = locked.findings.filter(result=FindingResult.MAJOR).exists()
        if failed and not locked.corrective_actions.strip():
            raise ServiceError(
                _(
                    "A major non-compliance fails the inspection: write the corrective "
                    "actions the company must take before submitting."
                )
            )
        if locked.state == InspectionState.SCHEDULED:
            locked = inspection_start(inspection=locked, actor=actor)
        now = timezone.now()
        done = run_transition(
            obj=locked,
            name="submit_fail" if failed else "submit_pass",
            actor=actor,
            update_fields=["submitted_at"],
            before_save=lambda row: setattr(row, "submitted_at", now),
            data={
                "majors": _count(locked, FindingResult.MAJOR),
                "minors": _count(locked, FindingResult.MINOR),
            },
        )
        locked, event = done.obj, done.event
        run_transition(
            obj=locked.application,
            name="record_fail" if failed else "record_pass",
            actor=actor,
            note=locked.corrective_actions if failed else "",
            data={"inspection": locked.pk},
        )
        notify(event)
        outbox.enqueue("inspections.tasks.render_inspection_report", locked.pk)
    return locked


def _count(inspection, result):
    return inspection.findings.filter(result=result).count()


# After a failure (the applicant) ---------------------------------------------------------
def application_resubmit(
    *,
    application: Application,
    actor: User,
    note: str = "",
    expected_state: str | None = None,
) -> Application:
    """The company fixed what the failed inspection found: back to awaiting inspection, so
    staff can schedule a new one."""
    if not is_member(application, actor):
        raise NotAllowed(_("You are not allowed to do this."))
    with transaction.atomic():
        return run_transition(
            obj=application,
            name="resubmit",
            actor=actor,
            expected_state=expected_state,
            note=(note or "").strip(),
        ).obj


def report_store(*, inspection: Inspection, pdf: bytes) -> InspectionReport | None:
    """Store the rendered report once; returns None when another run stored it first."""
    with transaction.atomic():
        locked = lock(inspection)
        if InspectionReport.objects.filter(inspection=locked).exists():
            return None
        report = InspectionReport(
            inspection=locked, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf)
        )
        save_with_file(report, "report.pdf", ContentFile(pdf))
        audit_record(
            actor=None,
            action="report_rendered",
            obj=locked,
            data={"sha256": report.sha256, "size": report.size},
        )
    return report
