"""Inspection pages: the inspector's workspace, the ministry desk, the applicant's resubmission.

Thin views: find the object through `visible_to(user)` (another tenant or another inspector
gets a 404), clean the input with a form, call the service, show its refusal on the page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.changes import differences
from applications.constants import ApplicationState
from applications.models import Application, Document
from inspections import selectors, services
from inspections.constants import (
    EDITABLE_STATES,
    SUBMITTED_STATES,
    FindingResult,
    InspectionState,
)
from inspections.forms import (
    JAKARTA,
    CalendarFilterForm,
    CancelForm,
    ChecklistForm,
    EvidenceForm,
    RescheduleForm,
    ResubmitForm,
    ScheduleForm,
    WindowForm,
)
from inspections.models import EvidencePhoto, Inspection
from registrasi.accounts.reads import ReadKind, record_read
from registrasi.accounts.retention import removed_file_response
from registrasi.services import ServiceError

# The inspector's "done" tab: submitted inspections, this many per page.
DONE_PER_PAGE = 20

# --- Access helpers: one per audience, each a 404 for everyone else -------------------------


def _require_staff(user):
    if not user.is_ministry_staff:
        raise Http404


def _for_ministry(request, pk):
    """Staff, or the inspector assigned (applicants see inspections on their application)."""
    user = request.user
    if not (user.is_ministry_staff or user.is_inspector):
        raise Http404
    queryset = Inspection.objects.visible_to(user).select_related(
        "application__organization", "inspector"
    )
    return get_object_or_404(queryset, pk=pk)


def _for_assigned_inspector(request, pk):
    """Only the inspector assigned records findings; for anyone else the page does not exist."""
    queryset = Inspection.objects.visible_to(request.user).filter(inspector_id=request.user.pk)
    return get_object_or_404(queryset.select_related("application__organization"), pk=pk)


def _for_staff(request, pk):
    _require_staff(request.user)
    queryset = Inspection.objects.select_related("application__organization", "inspector")
    return get_object_or_404(queryset, pk=pk)


def _error_text(exc):
    """A service refusal or a validation error as one sentence for the page."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return exc.message


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _requirements(inspection):
    """The inspection's own checklist (fixed when it was scheduled) as (value, label)."""
    return [(f.requirement, f.get_requirement_display()) for f in inspection.checklist]


# --- The inspector's workspace --------------------------------------------------------------


@login_required
def schedule(request):
    user = request.user
    if user.is_ministry_staff:
        return redirect("inspections:calendar")
    if not user.is_inspector:
        raise Http404
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
    inspection = _for_ministry(request, pk)
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
        for value, label in _requirements(inspection)
    ]
    is_assigned = inspection.inspector_id == request.user.pk
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
        "read_only_reason": _read_only_reason(inspection, is_assigned),
        "evidence_form": EvidenceForm(requirements=_requirements(inspection)),
        # A re-inspection: what the earlier ones found and what the applicant did since.
        "earlier": selectors.earlier_inspections(inspection=inspection),
    }


def _read_only_reason(inspection, is_assigned):
    if inspection.state in SUBMITTED_STATES:
        return _(
            "The findings were submitted on %(when)s and can no longer be changed. "
            "A new inspection is needed for a new assessment."
        ) % {"when": _when(inspection.submitted_at)}
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


def _when(moment):
    if moment is None:
        return "—"
    return date_format(timezone.localtime(moment, JAKARTA), "DATETIME_FORMAT")


@login_required
@require_POST
def findings(request, pk):
    """Save the draft checklist: called by htmx after each change, or by the form's buttons."""
    inspection = _for_assigned_inspector(request, pk)
    form = ChecklistForm(
        request.POST, requirements=_requirements(inspection), results=FindingResult.choices
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
            error = _error_text(exc)
        else:
            error = " ".join(str(e) for e in form.interview_errors)
    else:
        error = " ".join(str(e) for e in form.errors)
    if _is_htmx(request):
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
    inspection = _for_assigned_inspector(request, pk)
    form = EvidenceForm(request.POST, request.FILES, requirements=_requirements(inspection))
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
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Photo added."))
    return redirect(reverse("inspections:detail", args=[inspection.pk]) + "#evidence")


@login_required
def evidence_download(request, photo_pk):
    user = request.user
    if not (user.is_ministry_staff or user.is_inspector):
        raise Http404
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
    inspection = _for_assigned_inspector(request, pk)
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
    for value, label in _requirements(inspection):
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


# --- The ministry desk ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create(request, application_pk):
    _require_staff(request.user)
    application = get_object_or_404(
        Application.objects.visible_to(request.user).select_related("organization", "created_by"),
        pk=application_pk,
    )
    invoice = _invoice(application)
    candidates = _assignment_help(application, request.POST or request.GET)
    if request.method == "POST":
        form = ScheduleForm(request.POST, candidates=candidates)
        if form.is_valid():
            start, end = form.window()
            try:
                inspection = services.inspection_schedule(
                    application=application,
                    actor=request.user,
                    inspector=form.cleaned_data["inspector"],
                    window_start=start,
                    window_end=end,
                    contact_name=form.cleaned_data["contact_name"],
                    contact_phone=form.cleaned_data["contact_phone"],
                )
            except (ServiceError, ValidationError) as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(
                    request,
                    _("Inspection scheduled for %(when)s with %(inspector)s.")
                    % {"when": _when(inspection.window_start), "inspector": _name(inspection)},
                )
                return redirect("applications:detail", pk=application.pk)
    else:
        initial = {**WindowForm.initial_for(), **_contact(application)}
        # The window (and choice) the page asks the help for, when it refreshes it (htmx).
        initial.update({k: v for k, v in request.GET.items() if k in ScheduleForm.base_fields})
        form = ScheduleForm(initial=initial, candidates=candidates)
    return render(
        request,
        "inspections/schedule_form.html",
        {
            "form": form,
            "application": application,
            "invoice": invoice,
            "candidates": candidates,
            "provinces": selectors.premises_provinces(application),
        },
    )


def _assignment_help(application, data):
    """Inspectors for the window asked about (or the default one), covering and free first."""
    window = WindowForm(data) if data.get("date") else None
    if window is None or not window.is_valid():
        window = WindowForm(WindowForm.initial_for())
        window.is_valid()
    start, end = window.window()
    return selectors.assignment_candidates(
        application=application, window_start=start, window_end=end
    )


def _invoice(application):
    try:
        return application.invoice
    except Application.invoice.RelatedObjectDoesNotExist:
        return None


def _contact(application):
    """The on-site contact the service would default to: the applicant who created it."""
    return {
        "contact_name": application.created_by.get_full_name(),
        "contact_phone": application.organization.contact_phone,
    }


def _name(inspection):
    return inspection.inspector.get_full_name()


@login_required
@require_http_methods(["GET", "POST"])
def reschedule(request, pk):
    inspection = _for_staff(request, pk)
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            start, end = form.window()
            try:
                services.inspection_reschedule(
                    inspection=inspection,
                    actor=request.user,
                    window_start=start,
                    window_end=end,
                    reason=form.cleaned_data["reason"],
                    inspector=form.cleaned_data["inspector"],
                    expected_state=request.POST.get("expected_state") or None,
                )
            except (ServiceError, ValidationError) as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, _("Inspection moved; everyone concerned is informed."))
                return redirect("applications:detail", pk=inspection.application_id)
    else:
        window = WindowForm.initial_for(inspection.window_start, inspection.window_end)
        form = RescheduleForm(initial={**window, "inspector": inspection.inspector_id})
    return render(request, "inspections/reschedule.html", {"form": form, "inspection": inspection})


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, pk):
    inspection = _for_staff(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_cancel(
                inspection=inspection,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_state=request.POST.get("expected_state") or None,
            )
        except (ServiceError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Inspection cancelled."))
            return redirect("applications:detail", pk=inspection.application_id)
    return render(request, "inspections/cancel.html", {"form": form, "inspection": inspection})


@login_required
def calendar(request):
    if not request.user.is_ministry_staff:
        raise PermissionDenied
    form = CalendarFilterForm(request.GET or None)
    week_start = form.week_start()
    if not form.is_bound:
        form = CalendarFilterForm(initial={"week": week_start})
    inspector = form.cleaned_data.get("inspector") if form.is_bound and form.is_valid() else None
    week = selectors.staff_week(week_start=week_start, inspector=inspector)
    rows = [
        {
            "inspector": row.inspector,
            "count": len(row.inspections),
            "days": zip(week.days, row.by_day, strict=True),
        }
        for row in week.rows
    ]
    return render(
        request,
        "inspections/calendar.html",
        {"form": form, "week": week, "rows": rows, "inspector": inspector},
    )


@login_required
def overdue(request):
    if not request.user.is_ministry_staff:
        raise PermissionDenied
    return render(
        request,
        "inspections/overdue.html",
        {"inspections": selectors.overdue_inspections(), "now": timezone.now()},
    )


# --- The applicant --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def resubmit(request, application_pk):
    if not request.user.is_applicant:
        raise Http404
    application = get_object_or_404(Application.objects.visible_to(request.user), pk=application_pk)
    form = ResubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_resubmit(
                application=application,
                actor=request.user,
                note=form.cleaned_data["note"],
                expected_state=ApplicationState.INSPECTION_FAILED,
            )
        except (ServiceError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request,
                _("Resubmitted. The ministry will schedule a new inspection."),
            )
            return redirect("applications:detail", pk=application.pk)
    last_failed = (
        application.inspections.filter(state=InspectionState.FAILED)
        .order_by("-submitted_at")
        .first()
    )
    return render(
        request,
        "inspections/resubmit.html",
        {"form": form, "application": application, "last_failed": last_failed},
    )
