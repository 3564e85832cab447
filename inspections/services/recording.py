"""Recording (the assigned inspector): start the visit, save findings, interviews and
corrective actions as they go, attach photos. The first thing recorded starts the visit."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.constants import EVIDENCE_CONTENT_TYPES, FindingResult, InspectionState
from inspections.models import EvidencePhoto, Inspection, Interview
from inspections.services.checks import (
    refuse_unless_assigned,
    refuse_unless_editable,
    refuse_until_open,
    save_with_file,
)
from registrasi.accounts.models import User
from registrasi.audit.services import audit_record
from registrasi.services import lock, model_update, run_transition
from registrasi.uploads import validate_upload


def inspection_start(
    *, inspection: Inspection, actor: User, expected_state: str | None = None
) -> Inspection:
    """The inspector arrives: scheduled -> in progress."""
    with transaction.atomic():
        refuse_until_open(lock(inspection))
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
    refuse_unless_assigned(locked, actor)
    refuse_unless_editable(locked)
    refuse_until_open(locked)
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
        data = {}
        if "result" in values:
            data["result"] = _clean_result(requirement, values["result"])
        if "note" in values:
            data["note"] = (values["note"] or "").strip()
        _finding, changes = model_update(instance=rows[requirement], data=data)
        if changes:
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
            data = {**values, "position": position}
            _row, changes = model_update(instance=existing[position], data=data)
            changed = changed or bool(changes)
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
    inspection: Inspection,
    actor: User,
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


def evidence_add(
    *,
    inspection: Inspection,
    actor: User,
    uploaded_file: UploadedFile,
    requirement: str = "",
    caption: str = "",
) -> EvidencePhoto:
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
        save_with_file(photo, f"photo.{checked.ext}", checked.content)
        audit_record(
            actor=actor,
            action="evidence_add",
            obj=inspection,
            data={"photo": photo.pk, "sha256": photo.sha256, "requirement": requirement},
        )
    return photo
