"""The applicant's inspection page: resubmitting for a new inspection after a failed one."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.constants import ApplicationState
from applications.models import Application
from inspections import services
from inspections.constants import InspectionState
from inspections.forms import ResubmitForm
from registrasi.access import refuse_role
from registrasi.refusals import form_action

# --- The applicant --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def resubmit(request, application_pk):
    refuse_role(request.user.is_applicant)
    application = get_object_or_404(Application.objects.visible_to(request.user), pk=application_pk)
    form = ResubmitForm(request.POST or None)
    if form.is_bound and form_action(
        request,
        form,
        lambda: services.application_resubmit(
            application=application,
            actor=request.user,
            note=form.cleaned_data["note"],
            expected_state=ApplicationState.INSPECTION_FAILED,
        ),
        success=_("Resubmitted. The ministry will schedule a new inspection."),
    ):
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
