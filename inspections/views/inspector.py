"""The inspector's workspace: the schedule, the inspection page with its checklist, photos
and interviews, submitting the findings; the report PDF (staff, inspector, applicant)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.changes import differences
from applications.models import Document
from inspections import selectors, services
from inspections.constants import (
    EDITABLE_STATES,
    SUBMITTED_STATES,
    FindingResult,
    InspectionState,
)
from inspections.forms import JAKARTA, ChecklistForm, EvidenceForm
from inspections.models import EvidencePhoto, Inspection
from inspections.views.common import (
    for_assigned_inspector,
    for_ministry,
    is_htmx,
    requirements,
    when,
)
from registrasi.access import refuse_role
from registrasi.accounts.reads import ReadKind, record_read
from registrasi.accounts.retention import removed_file_response
from registrasi.refusals import error_text, report_refusal
from registrasi.services import ServiceError

# The inspector's "done" tab: submitted inspections, this many per page.
DONE_PER_PAGE = 20

# --- The inspector's workspace --------------------------------------------------------------


@login_required
def schedule(request):
    user = request.user
    if user.is_ministry_staff:
        return redirect("inspections:calendar")
    refuse_role(user.is_inspector)
    if request.GET.get("tab") == "done":
        done = Paginator(selectors.inspector_done(inspector=user), DONE_PER_PAGE)
        return render(
            request,
            "inspections/schedule.html",
            {"tab": "done", "page": done.get_page(request.GET.get("page"))},
        )
    today = timezone.localdate(timezone.now(), JAKARTA)
    plan = selectors.inspector_schedule(inspector=user, today=today)
    # The cards show the sites too: one query for all of them.
    prefetch_related_objects(plan.all, "application__sites")
    return render(
        request,
        "inspections/schedule.html",
        {"tab": "upcoming", "today": today, "todays": plan.today, "upcoming": plan.upcoming},
    )


@login_required
def detail(request, pk):
    inspection = for_ministry(request, pk)
    return render(request, "inspections/detail.html", _detail_context(request, inspection))


def _detail_context(request, inspection):
    application = inspection.application
    # The checklist, its rows and the photo form all read the findings: one query.
    prefetch_related_objects([inspection], "findings")
    documents = (
        Document.objects.filter(application=application)
        .prefetch_related("versions")
        .order_by("document_type", "id")
    )
    findings = {f.requirement: f for f in inspection.findings.all()}
    rows = [
        {"value": value, "label": label, "finding": findings.get(value)}
        for value, label in requirements(inspection)
    ]
    is_assigned = inspection.inspector_id == request.user.pk
    transitions = {t.name for t in inspection.get_available_user_state_transitions(request.user)}
    editable = is_assigned and inspection.state in EDITABLE_STATES and inspection.is_open()
    return {
        "inspection": inspection,
        "application": application,
        "sites": application.sites.all(),
        # A change report: what the inspector confirms (applications.kinds.Kind.reports_changes).
        "differences": differences(application) if application.rules.reports_changes else [],
        "documents": documents,
        "rows": rows,
        "results": FindingResult.choices,
        "interviews": list(inspection.interviews.all()),
        "photos": list(inspection.photos.all()),
        "editable": editable,
        "is_assigned": is_assigned,
        # The desk's changes (cancel, reschedule) while the lifecycle lets this person cancel.
        "may_change": "cancel" in transitions,
        "read_only_reason": _read_only_reason(inspection, is_assigned),
        "evidence_form": EvidenceForm(requirements=requirements(inspection)),
        # A re-inspection: what the earlier ones found and what the applicant did since.
        "earlier": selectors.earlier_inspections(inspection=inspection),
    }


def _read_only_reason(inspection, is_assigned):
    if inspection.state in SUBMITTED_STATES:
        return _(
            "The findings were submitted on %(when)s and can no longer be changed. "
            "A new inspection is needed for a new assessment."
        ) % {"when": when(inspection.submitted_at)}
    if inspection.state == InspectionState.CANCELLED:
        return _("This inspection was cancelled; findings cannot be recorded.")
    if not is_assigned:
        return _("Only the inspector assigned to this inspection can record findings.")
    if not inspection.is_open():
        return _(
            "Findings open on %(date)s, the planned day of this inspection; until then this "
            "page is read-only. If the visit takes place today, ask the ministry desk to "
            "reschedule it to today."
        ) % {"date": date_format(inspection.opens_on, "DATE_FORMAT")}
    return ""


@login_required
@require_POST
def findings(request, pk):
    """Save the draft checklist: called by htmx after each change, or by the form's buttons."""
    inspection = for_assigned_inspector(request, pk)
    form = ChecklistForm(
        request.POST, requirements=requirements(inspection), results=FindingResult.choices
    )
    error = ""
    if form.is_valid():
        try:
            services.findings_save_draft(
                inspection=inspection,
                actor=request.user,
                findings=form.findings,
                # Incomplete interview rows stay on the device until they are complete.
                interviews=None if form.interview_errors else form.interviews,
                corrective_actions=form.corrective_actions,
            )
        except (ServiceError, ValidationError) as exc:
            error = error_text(exc)
        else:
            error = " ".join(str(e) for e in form.interview_errors)
    else:
        error = " ".join(str(e) for e in form.errors)
    if is_htmx(request):
        response = render(
            request,
            "inspections/_draft_status.html",
            {"error": error, "saved_at": timezone.now()},
        )
        if not error:
            # The draft script clears its device copy only when the server has the data.
            response["HX-Trigger"] = "inspection-draft-saved"
        return response
    if error:
        messages.error(request, error)
        return redirect("inspections:detail", pk=inspection.pk)
    if request.POST.get("then") == "submit":
        return redirect("inspections:submit", pk=inspection.pk)
    messages.success(request, _("Draft saved."))
    return redirect("inspections:detail", pk=inspection.pk)


@login_required
@require_POST
def evidence(request, pk):
    inspection = for_assigned_inspector(request, pk)
    form = EvidenceForm(request.POST, request.FILES, requirements=requirements(inspection))
    if not form.is_valid():
        messages.error(request, _("Choose a photo to upload."))
        return redirect(reverse("inspections:detail", args=[inspection.pk]) + "#evidence")
    try:
        services.evidence_add(
            inspection=inspection,
            actor=request.user,
            uploaded_file=form.cleaned_data["photo"],
            requirement=form.cleaned_data["requirement"],
            caption=form.cleaned_data["caption"],
        )
    except (ServiceError, ValidationError) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("Photo added."))
    return redirect(reverse("inspections:detail", args=[inspection.pk]) + "#evidence")


@login_required
def evidence_download(request, photo_pk):
    user = request.user
    refuse_role(user.is_ministry_staff or user.is_inspector)
    photo = get_object_or_404(
        EvidencePhoto.objects.visible_to(user).select_related("inspection__application"),
        pk=photo_pk,
    )
    if not photo.file:
        return removed_file_response(request, rule_key="inspection_photos")
    _record_read(request, photo, ReadKind.PHOTO, photo.inspection.application)
    return services.evidence_download_response(photo=photo)


def _record_read(request, obj, kind, application):
    record_read(
        reader=request.user,
        obj=obj,
        kind=kind,
        organization=application.organization,
        application_id=application.pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk):
    inspection = for_assigned_inspector(request, pk)
    if request.method == "POST":
        try:
            services.inspection_submit(
                inspection=inspection,
                actor=request.user,
                expected_state=request.POST.get("expected_state") or None,
            )
        except ServiceError as exc:
            inspection.refresh_from_db()
            if inspection.state in EDITABLE_STATES:
                messages.error(request, exc.message)
                page = "inspections:submit" if inspection.is_open() else "inspections:detail"
                return redirect(page, pk=inspection.pk)
            # Submitted already (a second click, another tab): say why nothing changed.
            messages.error(request, _read_only_reason(inspection, True))
        else:
            messages.success(request, _("Findings submitted. The applicant has been informed."))
        return redirect("inspections:detail", pk=inspection.pk)
    if inspection.state not in EDITABLE_STATES or not inspection.is_open():
        messages.error(request, _read_only_reason(inspection, True))
        return redirect("inspections:detail", pk=inspection.pk)
    return render(request, "inspections/submit.html", _submit_context(inspection))


def _submit_context(inspection):
    """What submitting would do with the findings saved so far."""
    findings = {f.requirement: f for f in inspection.findings.all()}
    missing, majors, minors = [], [], []
    for value, label in requirements(inspection):
        result = findings[value].result if value in findings else ""
        if not result:
            missing.append(label)
        elif result == FindingResult.MAJOR:
            majors.append(label)
        elif result == FindingResult.MINOR:
            minors.append(label)
    outcome = InspectionState.FAILED if majors else InspectionState.PASSED
    needs_actions = outcome == InspectionState.FAILED and not inspection.corrective_actions.strip()
    return {
        "inspection": inspection,
        "application": inspection.application,
        "missing": missing,
        "majors": majors,
        "minors": minors,
        "outcome": outcome,
        "outcome_label": InspectionState(outcome).label,
        "needs_actions": needs_actions,
        "can_submit": not missing and not needs_actions,
    }


@login_required
def report(request, pk):
    """The report PDF: staff, the assigned inspector and the applicant's members."""
    queryset = Inspection.objects.visible_to(request.user).filter(state__in=SUBMITTED_STATES)
    inspection = get_object_or_404(queryset.select_related("application"), pk=pk)
    report = _report_of(inspection)
    if report is None or not report.file:
        # The task renders it within seconds of the submission; the page reloads itself.
        return render(
            request, "inspections/report_pending.html", {"inspection": inspection}, status=202
        )
    _record_read(request, report, ReadKind.REPORT, inspection.application)
    return services.inspection_report_response(report=report)


def _report_of(inspection):
    try:
        return inspection.report
    except Inspection.report.RelatedObjectDoesNotExist:
        return None
