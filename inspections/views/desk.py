"""The ministry desk's inspection pages: scheduling (with the assignment help),
rescheduling, cancelling, the week calendar and the overdue list."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.models import Application
from inspections import selectors, services
from inspections.forms import (
    CalendarFilterForm,
    CancelForm,
    RescheduleForm,
    ScheduleForm,
    WindowForm,
)
from inspections.views.common import for_staff, require_staff
from registrasi.access import staff_page
from registrasi.formats.display import format_window
from registrasi.refusals import form_action

# --- The ministry desk ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create(request, application_pk):
    require_staff(request.user)
    application = get_object_or_404(
        Application.objects.visible_to(request.user).select_related("organization", "created_by"),
        pk=application_pk,
    )
    invoice = _invoice(application)
    candidates = _assignment_help(application, request.POST or request.GET)
    if request.method == "POST":
        form = ScheduleForm(request.POST, candidates=candidates)

        def schedule():
            start, end = form.window()
            return services.inspection_schedule(
                application=application,
                actor=request.user,
                inspector=form.cleaned_data["inspector"],
                window_start=start,
                window_end=end,
                contact_name=form.cleaned_data["contact_name"],
                contact_phone=form.cleaned_data["contact_phone"],
            )

        if form_action(request, form, schedule, success=_scheduled):
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


def _scheduled(inspection):
    return _("Inspection scheduled for %(when)s with %(inspector)s.") % {
        "when": format_window(inspection.window_start, inspection.window_end),
        "inspector": inspection.inspector.get_full_name(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def reschedule(request, pk):
    inspection = for_staff(request, pk)
    if request.method == "POST":
        form = RescheduleForm(request.POST)

        def move():
            start, end = form.window()
            services.inspection_reschedule(
                inspection=inspection,
                actor=request.user,
                window_start=start,
                window_end=end,
                reason=form.cleaned_data["reason"],
                inspector=form.cleaned_data["inspector"],
                expected_state=request.POST.get("expected_state") or None,
            )

        success = _("Inspection moved; everyone concerned is informed.")
        if form_action(request, form, move, success=success):
            return redirect("applications:detail", pk=inspection.application_id)
    else:
        window = WindowForm.initial_for(inspection.window_start, inspection.window_end)
        form = RescheduleForm(initial={**window, "inspector": inspection.inspector_id})
    return render(request, "inspections/reschedule.html", {"form": form, "inspection": inspection})


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, pk):
    inspection = for_staff(request, pk)
    form = CancelForm(request.POST or None)
    if form.is_bound and form_action(
        request,
        form,
        lambda: services.inspection_cancel(
            inspection=inspection,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            expected_state=request.POST.get("expected_state") or None,
        ),
        success=_("Inspection cancelled."),
    ):
        return redirect("applications:detail", pk=inspection.application_id)
    return render(request, "inspections/cancel.html", {"form": form, "inspection": inspection})


@staff_page
def calendar(request):
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


@staff_page
def overdue(request):
    return render(
        request,
        "inspections/overdue.html",
        {"inspections": selectors.overdue_inspections(), "now": timezone.now()},
    )
