"""The staff's decisions on certificates: approving an application (which issues its
certificate), suspending, reinstating, revoking, imposing a fine and recording it paid."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from applications.billing.forms import OfficePaymentForm
from applications.constants import ApplicationState
from applications.models import Application
from certificates import services
from certificates.constants import SanctionKind
from certificates.forms import FineForm, ReasonForm, RevokeForm, SuspendForm
from certificates.models import Sanction
from certificates.sanctions import sanctions_in_force
from certificates.views.common import certificate_for, expected_state, require_staff
from registrasi.refusals import add_service_error, report_refusal
from registrasi.services import ServiceError


def _application_url(application):
    return reverse("applications:detail", args=[application.pk])


# Staff decisions -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def approve(request, application_pk):
    """Approve an application whose inspection passed and issue its certificate.

    The first POST (from the panel on the application page) shows a confirmation page; the
    POST carrying `confirm=1` acts. A double click or a colleague who was faster gets the
    service's StaleState as a message, and still exactly one certificate exists.
    """
    require_staff(request)
    application = get_object_or_404(Application.objects.visible_to(request.user), pk=application_pk)
    expected_state = request.POST.get("expected_state") or application.state
    basis = services.follow_up_basis(application)
    context = {
        "application": application,
        "expected_state": expected_state,
        "can_approve": application.state == ApplicationState.INSPECTION_PASSED,
        "application_url": _application_url(application),
        # A change report or renewal of a sanctioned certificate: staff see what the new
        # certificate inherits and must tick that they saw it.
        "sanctions": sanctions_in_force(basis) if basis is not None else None,
    }
    if request.method == "GET" or request.POST.get("confirm") != "1":
        return render(request, "certificates/approve_confirm.html", context)
    try:
        certificate = services.application_approve(
            application=application,
            actor=request.user,
            expected_state=expected_state,
            sanctions_confirmed=request.POST.get("sanctions_confirmed", ""),
        )
    except services.SanctionsNotConfirmed as error:
        # Nothing changed: the same page again, with what is missing.
        context["sanction_error"] = error.message
        return render(request, "certificates/approve_confirm.html", context)
    except ServiceError as error:
        report_refusal(request, error)
        return redirect(_application_url(application))
    messages.success(
        request,
        _("Application approved. Certificate %(number)s has been issued.")
        % {"number": certificate.number},
    )
    return redirect("certificates:detail", pk=certificate.pk)


@dataclass(frozen=True)
class SanctionPage:
    """What a sanction's form and confirmation pages say."""

    title: str
    intro: str
    confirm_intro: str
    button: str
    success: str
    danger: bool = False


SUSPEND = SanctionPage(
    title=gettext_lazy("Suspend the certificate"),
    intro=gettext_lazy(
        "While suspended, the certificate shows as suspended on the public verification page."
    ),
    confirm_intro=gettext_lazy("Check the suspension before you confirm it."),
    button=gettext_lazy("Suspend the certificate"),
    success=gettext_lazy("The certificate is suspended."),
    danger=True,
)
REINSTATE = SanctionPage(
    title=gettext_lazy("Reinstate the certificate"),
    intro=gettext_lazy("The certificate becomes active again until its expiry date."),
    confirm_intro=gettext_lazy("Check the reinstatement before you confirm it."),
    button=gettext_lazy("Reinstate the certificate"),
    success=gettext_lazy("The certificate is active again."),
)
REVOKE = SanctionPage(
    title=gettext_lazy("Revoke the certificate"),
    intro=gettext_lazy(
        "A revocation is final: it cannot be undone, the certificate can never become valid "
        "again, and the company must apply for a new registration."
    ),
    confirm_intro=gettext_lazy(
        "This is your last chance to stop: once revoked, the certificate can never be reinstated."
    ),
    button=gettext_lazy("Revoke the certificate for good"),
    success=gettext_lazy("The certificate is revoked."),
    danger=True,
)
FINE = SanctionPage(
    title=gettext_lazy("Impose a fine"),
    intro=gettext_lazy("The organization is told the amount, the due date and the reason."),
    confirm_intro=gettext_lazy("Check the fine before you confirm it."),
    button=gettext_lazy("Impose the fine"),
    success=gettext_lazy("The fine has been imposed."),
    danger=True,
)


def _sanction_view(request, pk, *, form_class, page, perform):
    """Form → confirmation → service. Invalid input re-shows the form and changes nothing."""
    require_staff(request)
    certificate = certificate_for(request, pk)
    form = form_class(request.POST if request.method == "POST" else None, certificate=certificate)
    context = {
        "certificate": certificate,
        "form": form,
        "page": page,
        "expected_state": expected_state(request) or certificate.state,
        "today": timezone.localdate(),
    }
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") != "1":
            return render(request, "certificates/sanction_confirm.html", context)
        try:
            perform(certificate, form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        except ServiceError as error:
            report_refusal(request, error)
            return redirect("certificates:detail", pk=certificate.pk)
        else:
            messages.success(request, str(page.success))
            return redirect("certificates:detail", pk=certificate.pk)
    return render(request, "certificates/sanction_form.html", context)


def _state_change(request, service, *fields):
    """`perform` for a sanction that changes the certificate's state: the reason and `fields`
    from the form, checked against the state the page showed."""

    def perform(certificate, data):
        service(
            certificate=certificate,
            actor=request.user,
            reason=data["reason"],
            expected_state=expected_state(request),
            **{name: data[name] for name in fields},
        )

    return perform


@login_required
@require_http_methods(["GET", "POST"])
def suspend(request, pk):
    perform = _state_change(request, services.certificate_suspend, "starts_on", "until")
    return _sanction_view(request, pk, form_class=SuspendForm, page=SUSPEND, perform=perform)


@login_required
@require_http_methods(["GET", "POST"])
def reinstate(request, pk):
    perform = _state_change(request, services.certificate_reinstate)
    return _sanction_view(request, pk, form_class=ReasonForm, page=REINSTATE, perform=perform)


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request, pk):
    perform = _state_change(request, services.certificate_revoke)
    return _sanction_view(request, pk, form_class=RevokeForm, page=REVOKE, perform=perform)


@login_required
@require_http_methods(["GET", "POST"])
def fine(request, pk):
    def perform(certificate, data):
        services.fine_impose(
            certificate=certificate,
            actor=request.user,
            amount=data["amount"],
            due_date=data["due_date"],
            reason=data["reason"],
        )

    return _sanction_view(request, pk, form_class=FineForm, page=FINE, perform=perform)


@login_required
@require_http_methods(["GET", "POST"])
def fine_paid(request, pk, sanction_pk):
    """Record a fine paid at the office: only with the NTPN and a scan of the receipt."""
    require_staff(request)
    certificate = certificate_for(request, pk)
    sanction = get_object_or_404(
        Sanction.objects.filter(certificate=certificate, kind=SanctionKind.FINE), pk=sanction_pk
    )
    form = OfficePaymentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.fine_mark_paid(
                sanction=sanction, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        except ServiceError as error:
            report_refusal(request, error)
            return redirect("certificates:detail", pk=certificate.pk)
        else:
            _say_fine_payment(request, payment)
            return redirect("certificates:detail", pk=certificate.pk)
    return render(
        request,
        "certificates/fine_paid_confirm.html",
        {"certificate": certificate, "fine": sanction, "form": form},
        status=400 if form.errors else 200,
    )


def _say_fine_payment(request, payment):
    if payment.is_discrepancy:  # e.g. paid with an expired code: the fine stays open
        messages.warning(
            request,
            _(
                "The payment was recorded as a discrepancy; the fine stays open until it "
                "is resolved on the payments page."
            ),
        )
    else:
        messages.success(request, _("The payment of the fine was recorded."))
