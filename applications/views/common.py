"""What every application page shares: finding the application for this person, and the
POST plumbing (the state the page showed, a refusal as a message, back to the page)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from applications.constants import EDITABLE_STATES
from applications.models import Application, is_member
from registrasi.access import refuse_role
from registrasi.refusals import report_refusal
from registrasi.services import ServiceError

# Access helpers ----------------------------------------------------------------------------


def application_for(request, pk):
    """The application if the user may see it, else 404 (never confirms another tenant's)."""
    queryset = Application.objects.visible_to(request.user).select_related("organization")
    return get_object_or_404(queryset, pk=pk)


def member_application(request, pk):
    """For the applicant's own actions: 404 for anyone else, staff and inspectors too
    (registrasi.access: an object's URL answers a wrong role as if it did not exist)."""
    application = application_for(request, pk)
    refuse_role(is_member(application, request.user))
    return application


def staff_application(request, pk):
    """For the ministry desk's actions: 404 for anyone else, the applicant of this very
    application and its inspector too (registrasi.access)."""
    application = application_for(request, pk)
    refuse_role(request.user.is_ministry_staff)
    return application


# POST plumbing -----------------------------------------------------------------------------


def to_detail(application):
    return redirect("applications:detail", pk=application.pk)


def _stale_message(application):
    return _("This was changed by someone else in the meantime; it is now “%(state)s”.") % {
        "state": application.get_state_display()
    }


def expected_state(request):
    return request.POST.get("expected_state") or None


def refuse_stale(request, application):
    """A redirect when the page the POST came from showed another state, else None."""
    expected = expected_state(request)
    if expected is not None and expected != application.state:
        messages.warning(request, _stale_message(application))
        return to_detail(application)
    return None


def refuse_state(request, application, message):
    """Back to the detail page with `message`, which names the current state."""
    messages.error(request, message % {"state": application.get_state_display()})
    return to_detail(application)


def refuse_edit(request, application):
    """A redirect with a message when this POST may not change the application now."""
    refused = refuse_stale(request, application)
    if refused:
        return refused
    if application.state not in EDITABLE_STATES:
        return refuse_state(
            request, application, _("The application cannot be changed while it is “%(state)s”.")
        )
    return None


def perform(request, application, action, success):
    """Run a service call, turning its refusals into messages; back to the detail page."""
    try:
        action()
    except (ServiceError, ValidationError) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, success)
    return to_detail(application)


def transition(request, application, service, success, **kwargs):
    """A state change through its service, checked against the state the page showed."""
    return perform(
        request,
        application,
        lambda: service(
            application=application,
            actor=request.user,
            expected_state=expected_state(request),
            **kwargs,
        ),
        success,
    )


def confirm_with_reason(request, application, *, page, form_class, possible, refusal, **action):
    """A page that asks to confirm a transition with a reason (GET), then does it (POST):
    `possible()` says whether the GET may show the page (else back with `refusal`, which
    names the state); `action` is transition()'s service and success. An invalid reason
    shows the page again (400)."""
    if request.method == "POST":
        refused = refuse_stale(request, application)
        if refused:
            return refused
        form = form_class(request.POST)
        if form.is_valid():
            return transition(request, application, reason=form.cleaned_data["reason"], **action)
        status = 400
    elif not possible():
        return refuse_state(request, application, refusal)
    else:
        form = form_class()
        status = 200
    context = {"application": application, "form": form}
    return render(request, page, context, status=status)
