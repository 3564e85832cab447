"""Every write to an inspection: scheduling, findings, evidence, submission.

All functions are keyword-only, take the `actor`, run in one transaction with the rows they
change locked, and write an audit event. State changes (of the inspection and of its
application) go through registrasi.services.run_transition. Refusals: NotAllowed (role,
assignment or state), StaleState (the row moved on since the page was shown),
SchedulingRefused (a ServiceError naming why a window cannot be booked), ServiceError
(anything else the person must fix), django ValidationError (bad input: a file, a missing
reason, an unknown result).
"""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from applications import services as applications_services
from applications.constants import ApplicationState
from applications.models import Application, is_member
from applications.selectors import invoice_is_paid
from inspections.constants import (
    ACTIVE_STATES,
    EVIDENCE_CONTENT_TYPES,
    JAKARTA,
    SUBMITTED_STATES,
    FindingResult,
    InspectionState,
    requirements_for,
)
from inspections.models import (
    SCHEDULE_INSPECTION,
    EvidencePhoto,
    Finding,
    Inspection,
    InspectionReport,
    Interview,
    ScheduleChange,
    is_assigned_inspector,
)
from registrasi import outbox
from registrasi.accounts.models import User
from registrasi.audit.services import audit_record
from registrasi.services import (
    NotAllowed,
    ServiceError,
    StaleState,
    lock,
    notify,
    refuse_if_stale,
    refuse_unless_perm,
    require_text,
    run_transition,
)
from registrasi.uploads import download_response, validate_upload

__all__ = [
    "NotAllowed",
    "SchedulingRefused",
    "ServiceError",
    "StaleState",
    "application_resubmit",
    "evidence_add",
    "evidence_download_response",
    "findings_save_draft",
    "inspection_cancel",
    "inspection_report_response",
    "inspection_reschedule",
    "inspection_schedule",
    "inspection_start",
    "inspection_submit",
    "missing_results",
    "report_store",
]

class SchedulingRefused(ServiceError):
    """A window cannot be booked; the message says why (past, overlap, unpaid...)."""


# Helpers ---------------------------------------------------------------------------------
def _refuse_unless_assigned(inspection, actor):
    if not is_assigned_inspector(inspection, actor):
        raise NotAllowed(_("Only the inspector assigned to this inspection can do this."))


def _refuse_unless_editable(inspection):
    """Findings lock when the inspection is submitted (or cancelled): say so."""
    if inspection.state in SUBMITTED_STATES:
        raise NotAllowed(
            _(
                "This inspection was submitted on %(date)s with the outcome “%(state)s”; "
                "its findings can no longer change."
            )
            % {
                "date": date_format(timezone.localtime(inspection.submitted_at), "DATETIME_FORMAT"),
                "state": inspection.get_state_display(),
            }
        )
    if inspection.state not in ACTIVE_STATES:
        raise NotAllowed(
            _("This inspection is “%(state)s”; nothing can be recorded on it.")
            % {"state": inspection.get_state_display()}
        )


def _refuse_until_open(inspection):
    """Findings open on the planned day (Jakarta date): nothing before it."""
    if not inspection.is_open():
        raise NotAllowed(
            _(
                "Findings for this inspection open on %(date)s, the planned day; nothing can be "
                "recorded or submitted before then. If the visit takes place today, ask the "
                "ministry desk to reschedule the inspection to today."
            )
            % {"date": date_format(inspection.opens_on, "DATE_FORMAT")}
        )


def _fmt(value):
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _check_window(*, inspector, window_start, window_end, exclude_pk=None):
    """Refuse a window in the past, an inverted one, a non-inspector or a clash.

    The inspector's user row is locked first: two staff members booking the same inspector
    at once are serialised, so the overlap query below cannot race.
    """
    if window_start is None or window_end is None:
        raise SchedulingRefused(_("Choose when the inspection starts and ends."))
    if timezone.is_naive(window_start) or timezone.is_naive(window_end):
        raise SchedulingRefused(_("The inspection window needs a time zone."))
    if window_end <= window_start:
        raise SchedulingRefused(_("The inspection must end after it starts."))
    # A window may start earlier today (staff moving a visit under way to today, so that its
    # findings open) but not on an earlier day, and it must not be over already.
    today = timezone.localdate(timezone=JAKARTA)
    if timezone.localtime(window_start, JAKARTA).date() < today or window_end <= timezone.now():
        raise SchedulingRefused(
            _("The inspection cannot be in the past (%(start)s): choose today or a later day.")
            % {"start": _fmt(window_start)}
        )
    if inspector is None or not inspector.is_active or not inspector.is_inspector:
        raise SchedulingRefused(
            _("%(user)s is not an inspector.")
            % {"user": inspector.get_full_name() if inspector else "?"}
        )
    User.objects.select_for_update().filter(pk=inspector.pk).first()
    clash = (
        Inspection.objects.active()
        .filter(inspector=inspector)
        .overlapping(window_start, window_end)
        .exclude(pk=exclude_pk)
        .select_related("application")
        .first()
    )
    if clash is not None:
        raise SchedulingRefused(
            _(
                "%(inspector)s already has an inspection from %(start)s to %(end)s "
                "(%(application)s); choose another time or another inspector."
            )
            % {
                "inspector": inspector.get_full_name(),
                "start": _fmt(clash.window_start),
                "end": _fmt(clash.window_end),
                "application": clash.application,
            }
        )


def _save_guarded(obj, **kwargs):
    """Save, turning a database constraint the checks above missed (a race on PostgreSQL's
    exclusion constraint) into the same refusal."""
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError as exc:
        if "inspections_no_overlap" in str(exc) or "one_active_per_application" in str(exc):
            raise SchedulingRefused(
                _("The inspector or the application was booked by someone else meanwhile.")
            ) from exc
        raise


def _default_contact(application):
    creator = application.created_by
    return creator.get_full_name(), application.organization.contact_phone


# Scheduling (staff) ----------------------------------------------------------------------
def inspection_schedule(
    *,
    application,
    actor,
    inspector,
    window_start,
    window_end,
    contact_name="",
    contact_phone="",
) -> Inspection:
    """Book `inspector` for `application` (awaiting inspection, invoice paid) in the window.

    Moves the application to inspection_scheduled; the organization's members and the
    inspector are emailed after commit.
    """
    refuse_unless_perm(actor, SCHEDULE_INSPECTION)
    with transaction.atomic():
        application = lock(application)
        if application.state != ApplicationState.AWAITING_INSPECTION:
            raise SchedulingRefused(
                _("Only an application awaiting inspection can be scheduled; it is “%(state)s”.")
                % {"state": application.get_state_display()}
            )
        if not invoice_is_paid(application):
            raise SchedulingRefused(
                _("The fee invoice of %(application)s is not paid yet.")
                % {"application": application}
            )
        # Every required document's current version accepted (a new version uploaded after
        # a failed inspection waits for the desk): the same check as approval.
        applications_services.refuse_unless_ready(
            application, step=applications_services.SCHEDULE_STEP
        )
        _check_window(inspector=inspector, window_start=window_start, window_end=window_end)
        default_name, default_phone = _default_contact(application)
        inspection = Inspection(
            application=application,
            inspector=inspector,
            window_start=window_start,
            window_end=window_end,
            contact_name=(contact_name or "").strip() or default_name,
            contact_phone=(contact_phone or "").strip() or default_phone,
            scheduled_by=actor,
        )
        _save_guarded(inspection)
        # The checklist snapshot: saving and submitting read these rows, never the current
        # rules, so a requirement added later applies only to inspections scheduled after it.
        Finding.objects.bulk_create(
            Finding(inspection=inspection, requirement=requirement, position=position)
            for position, requirement in enumerate(requirements_for(application.kind))
        )
        run_transition(
            obj=application,
            name="schedule",
            actor=actor,
            data={"inspection": inspection.pk, "inspector": inspector.pk},
        )
        event = audit_record(
            actor=actor,
            action="schedule",
            obj=inspection,
            to_state=inspection.state,
            data=_window_data(inspection),
        )
        notify(event)
    return inspection


def _window_data(inspection):
    return {
        "inspector": inspection.inspector_id,
        "window_start": inspection.window_start.isoformat(),
        "window_end": inspection.window_end.isoformat(),
    }


def inspection_reschedule(
    *,
    inspection,
    actor,
    window_start,
    window_end,
    reason,
    inspector=None,
    expected_state=None,
) -> Inspection:
    """Move a scheduled inspection to a new window (and optionally another inspector),
    keeping the old one as a ScheduleChange. Same checks as scheduling."""
    refuse_unless_perm(actor, SCHEDULE_INSPECTION)
    reason = require_text(reason)
    with transaction.atomic():
        inspection = lock(inspection)
        refuse_if_stale(inspection, expected_state)
        if inspection.state != InspectionState.SCHEDULED:
            raise NotAllowed(
                _("Only a scheduled inspection can be rescheduled; this one is “%(state)s”.")
                % {"state": inspection.get_state_display()}
            )
        new_inspector = inspector or inspection.inspector
        unchanged = (window_start, window_end, new_inspector.pk) == (
            inspection.window_start,
            inspection.window_end,
            inspection.inspector_id,
        )
        if unchanged:
            raise SchedulingRefused(_("This is the inspection's current window and inspector."))
        _check_window(
            inspector=new_inspector,
            window_start=window_start,
            window_end=window_end,
            exclude_pk=inspection.pk,
        )
        change = ScheduleChange(
            inspection=inspection,
            old_start=inspection.window_start,
            old_end=inspection.window_end,
            new_start=window_start,
            new_end=window_end,
            old_inspector_id=inspection.inspector_id
            if new_inspector.pk != inspection.inspector_id
            else None,
            reason=reason,
            changed_by=actor,
        )
        change.save()
        inspection.window_start = window_start
        inspection.window_end = window_end
        inspection.inspector = new_inspector
        _save_guarded(
            inspection, update_fields=["window_start", "window_end", "inspector", "updated_at"]
        )
        event = audit_record(
            actor=actor,
            action="reschedule",
            obj=inspection,
            from_state=inspection.state,
            to_state=inspection.state,
            note=reason,
            data={
                **_window_data(inspection),
                "schedule_change": change.pk,
                "old_inspector": change.old_inspector_id,
            },
        )
        notify(event)
    return inspection


def inspection_cancel(*, inspection, actor, reason, expected_state=None) -> Inspection:
    """Cancel a scheduled inspection; its application waits for a new date again."""
    refuse_unless_perm(actor, SCHEDULE_INSPECTION)
    reason = require_text(reason)
    with transaction.atomic():
        done = run_transition(
            obj=inspection,
            name="cancel",
            actor=actor,
            expected_state=expected_state,
            note=reason,
            update_fields=["cancel_reason"],
            before_save=lambda locked: setattr(locked, "cancel_reason", reason),
        )
        inspection, event = done.obj, done.event
        if inspection.application.state == ApplicationState.INSPECTION_SCHEDULED:
            run_transition(
                obj=inspection.application,
                name="unschedule",
                actor=actor,
                note=reason,
                data={"inspection": inspection.pk},
            )
        notify(event)
    return inspection


# Recording (the assigned inspector) ------------------------------------------------------
def inspection_start(*, inspection, actor, expected_state=None) -> Inspection:
    """The inspector arrives: scheduled -> in progress."""
    with transaction.atomic():
        _refuse_until_open(lock(inspection))
        return run_transition(
            obj=inspection,
            name="start",
            actor=actor,
            expected_state=expected_state,
            update_fields=["started_at"],
            before_save=lambda locked: setattr(locked, "started_at", timezone.now()),
        ).obj


def _lock_for_recording(inspection, actor):
    """Lock the inspection, check it is the actor's and still editable; start it if it was
    only scheduled (the first thing recorded starts the visit)."""
    locked = lock(inspection)
    _refuse_unless_assigned(locked, actor)
    _refuse_unless_editable(locked)
    _refuse_until_open(locked)
    if locked.state == InspectionState.SCHEDULED:
        locked = inspection_start(inspection=locked, actor=actor)
    return locked


def _clean_result(requirement, value):
    value = (value or "").strip()
    if value and value not in FindingResult.values:
        raise ValidationError(
            {requirement: _("“%(value)s” is not a valid result.") % {"value": value}},
            code="invalid",
        )
    return value


def _merge_findings(inspection, findings) -> list[str]:
    """Change only the requirements and keys given; everything else stays as it was.
    Returns the requirements that changed."""
    rows = {f.requirement: f for f in inspection.findings.select_for_update()}
    unknown = [str(key) for key in findings if key not in rows]
    if unknown:
        raise ValidationError(
            _("Not on this inspection's checklist: %(items)s.") % {"items": ", ".join(unknown)},
            code="invalid",
        )
    changed_requirements = []
    for requirement, values in findings.items():
        values = values or {}
        finding = rows[requirement]
        changed = []
        if "result" in values:
            result = _clean_result(requirement, values["result"])
            if result != finding.result:
                finding.result = result
                changed.append("result")
        if "note" in values:
            note = (values["note"] or "").strip()
            if note != finding.note:
                finding.note = note
                changed.append("note")
        if changed:
            finding.save(update_fields=[*changed, "updated_at"])
            changed_requirements.append(requirement)
    return changed_requirements


def _clean_interview(position, values):
    role = (values.get("role") or "").strip()
    notes = (values.get("notes") or "").strip()
    try:
        number = int(values.get("number_interviewed") or 0)
    except (TypeError, ValueError):
        number = 0
    if not role:
        raise ValidationError(
            _("Interview %(n)s: name the role of the people interviewed.") % {"n": position + 1},
            code="required",
        )
    if number < 1:
        raise ValidationError(
            _("Interview %(n)s: at least one person must have been interviewed.")
            % {"n": position + 1},
            code="invalid",
        )
    return {"role": role, "number_interviewed": number, "notes": notes}


def _replace_interviews(inspection, interviews) -> bool:
    """The list given is the whole list: update rows in place by position, add the new
    ones, remove the surplus (so saving the same list twice changes nothing). Returns
    whether anything changed."""
    cleaned = [
        _clean_interview(position, values)
        for position, values in enumerate(i for i in interviews if _is_filled(i))
    ]
    existing = list(inspection.interviews.select_for_update().order_by("position", "id"))
    changed = False
    for position, values in enumerate(cleaned):
        if position < len(existing):
            row = existing[position]
            if any(getattr(row, k) != v for k, v in values.items()) or row.position != position:
                for key, value in values.items():
                    setattr(row, key, value)
                row.position = position
                row.save()
                changed = True
        else:
            Interview.objects.create(inspection=inspection, position=position, **values)
            changed = True
    surplus = [row.pk for row in existing[len(cleaned) :]]
    if surplus:
        Interview.objects.filter(pk__in=surplus).delete()
        changed = True
    return changed


def _is_filled(values):
    return any(str(values.get(k) or "").strip() for k in ("role", "notes", "number_interviewed"))


def findings_save_draft(
    *,
    inspection,
    actor,
    findings: dict | None = None,
    interviews: list[dict] | None = None,
    corrective_actions: str | None = None,
) -> Inspection:
    """Save what the inspector has recorded so far (called again and again as they go).

    `findings` maps a requirement to {"result": ..., "note": ...}; only the requirements and
    keys given change (partial data merges, it never wipes). `interviews`, when given, is
    the whole list of interviews; None leaves them as they are. `corrective_actions`: None
    leaves it as it is. Calling twice with the same data changes nothing the second time
    (and writes no second audit event).
    """
    with transaction.atomic():
        inspection = _lock_for_recording(inspection, actor)
        changes = {}
        if findings:
            changes["findings"] = _merge_findings(inspection, findings)
        if interviews is not None:
            changes["interviews"] = _replace_interviews(inspection, interviews)
        if corrective_actions is not None:
            text = corrective_actions.strip()
            if text != inspection.corrective_actions:
                inspection.corrective_actions = text
                changes["corrective_actions"] = True
        changes = {key: value for key, value in changes.items() if value}
        if changes:
            inspection.save(update_fields=["corrective_actions", "updated_at"])
            audit_record(
                actor=actor,
                action="findings_saved",
                obj=inspection,
                from_state=inspection.state,
                to_state=inspection.state,
                data=changes,
            )
    return inspection


def evidence_add(*, inspection, actor, uploaded_file, requirement="", caption="") -> EvidencePhoto:
    """Attach a JPEG or PNG photo. The file is checked by content, extension and size
    before anything is stored; a refused file leaves no trace."""
    requirement = (requirement or "").strip()
    with transaction.atomic():
        inspection = _lock_for_recording(inspection, actor)
        if requirement and not inspection.findings.filter(requirement=requirement).exists():
            raise ValidationError(
                {"requirement": _("Not on this inspection's checklist.")}, code="invalid"
            )
        checked = validate_upload(uploaded_file, allowed=EVIDENCE_CONTENT_TYPES)
        photo = EvidencePhoto(
            inspection=inspection,
            requirement=requirement,
            original_name=checked.safe_name,
            size=checked.size,
            sha256=checked.sha256,
            content_type=checked.content_type,
            caption=(caption or "").strip()[:255],
            uploaded_by=actor,
        )
        _save_with_file(photo, f"photo.{checked.ext}", checked.content)
        audit_record(
            actor=actor,
            action="evidence_add",
            obj=inspection,
            data={"photo": photo.pk, "sha256": photo.sha256, "requirement": requirement},
        )
    return photo


def _save_with_file(record, name, content):
    """Store the file, then the row. A failed insert must not leave an orphan file behind."""
    record.file.save(name, content, save=False)
    try:
        record.save()
    except Exception:
        record.file.delete(save=False)
        raise


# Submission ------------------------------------------------------------------------------
def missing_results(inspection) -> list[str]:
    """The requirements (display names) that still have no result."""
    return [
        str(finding.get_requirement_display())
        for finding in inspection.findings.all()
        if not finding.result
    ]


def inspection_submit(*, inspection, actor, expected_state=None) -> Inspection:
    """Lock the findings and record the outcome: any major non-compliance fails the
    inspection (corrective actions required), otherwise it passes. The application follows
    (record_pass / record_fail); the applicant is emailed and the report PDF rendered after
    commit."""
    with transaction.atomic():
        locked = lock(inspection)
        _refuse_unless_assigned(locked, actor)
        refuse_if_stale(locked, expected_state)
        _refuse_unless_editable(locked)
        _refuse_until_open(locked)
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
def application_resubmit(*, application, actor, note="", expected_state=None) -> Application:
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


# Downloads (the view checks visibility first) --------------------------------------------
def inspection_report_response(*, report):
    reference = report.inspection.application.reference or report.inspection_id
    return download_response(
        report.file,
        filename=f"inspection-report-{reference}-{report.inspection_id}.pdf",
        content_type="application/pdf",
    )


def evidence_download_response(*, photo):
    return download_response(
        photo.file, filename=photo.original_name, content_type=photo.content_type
    )


def report_store(*, inspection, pdf: bytes) -> InspectionReport | None:
    """Store the rendered report once; returns None when another run stored it first."""
    with transaction.atomic():
        locked = lock(inspection)
        if InspectionReport.objects.filter(inspection=locked).exists():
            return None
        report = InspectionReport(
            inspection=locked, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf)
        )
        _save_with_file(report, "report.pdf", ContentFile(pdf))
        audit_record(
            actor=None,
            action="report_rendered",
            obj=locked,
            data={"sha256": report.sha256, "size": report.size},
        )
    return report
