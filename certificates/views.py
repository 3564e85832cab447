"""Certificate pages: public verification and register, the organization's certificate,
and the staff's decisions (approve, fine, suspend, reinstate, revoke).

Views stay thin: they fetch through `visible_to(user)` (another tenant's certificate is a
404), validate with a form, call one service and turn its refusals into messages.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from applications import kinds
from applications.billing.forms import OfficePaymentForm
from applications.constants import ApplicationState
from applications.models import Application
from certificates import keeping, selectors, services
from certificates.constants import REGISTRY_STATES, CertificateState, SanctionKind
from certificates.forms import (
    FineForm,
    ReasonForm,
    RegistryFilterForm,
    RevokeForm,
    StaffFilterForm,
    SuspendForm,
    VerifyNumberForm,
    VerifyPdfForm,
)
from certificates.models import Certificate, Sanction
from certificates.public_cache import cached_public_page
from certificates.sanctions import attach_sanctions, sanctions_in_force
from certificates.verification import verify_number, verify_pdf
from registrasi.accounts.reads import ReadKind, record_read
from registrasi.ratelimits import rate_limit
from registrasi.services import ServiceError

PAGE_SIZE = 25
# The render task's first run plus its retries: after that many failed attempts the page stops
# polling and says so (staff may render again).
MAX_RENDER_ATTEMPTS = services.RENDER_MAX_ATTEMPTS


# Rate limits -----------------------------------------------------------------------------
# Read from settings at request time so a deployment (or a test) can change them.


def public_rate(group, request):
    return getattr(settings, "CERTIFICATES_PUBLIC_RATE", "60/m")


def upload_rate(group, request):
    return getattr(settings, "CERTIFICATES_UPLOAD_RATE", "10/m")


limit_public_reads = rate_limit(
    group="certificates:public", key="ip", rate=public_rate, method="GET"
)
limit_pdf_uploads = rate_limit(
    group="certificates:pdf_check", key="ip", rate=upload_rate, method="POST"
)


# Access helpers --------------------------------------------------------------------------


def _certificate_for(request, pk):
    """The certificate if the requesting person may see it (its organization, staff); else 404."""
    return get_object_or_404(Certificate.objects.visible_to(request.user), pk=pk)


def _require_staff(request):
    # Decisions are the ministry's: anyone else gets the same 404 as for a missing page.
    if not request.user.is_ministry_staff:
        raise Http404


def _application_url(application):
    return reverse("applications:detail", args=[application.pk])


def _expected_state(request):
    """The state the page showed, sent back in a hidden input (None if absent)."""
    return request.POST.get("expected_state") or None


def _paginate(request, queryset, paginator_class=Paginator):
    return paginator_class(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: a public page never counts every match of a broad
    search (the page says "more than 1,000"; narrowing the search reaches the rest)."""

    COUNT_CAP = 1000

    @cached_property
    def count(self):
        return self.object_list[: self.COUNT_CAP + 1].count()

    @property
    def capped(self):
        return self.count > self.COUNT_CAP


def _state_choices(states=None):
    states = states or list(CertificateState)
    return [(state.value, state.label) for state in states]


# Public ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@limit_public_reads
@limit_pdf_uploads
def verify_form(request):
    """The number form (GET, redirects to the result page) and the PDF check (POST)."""
    number_form = VerifyNumberForm(request.GET if "number" in request.GET else None)
    pdf_form = VerifyPdfForm()
    pdf_result = None
    if request.method == "POST":
        pdf_form = VerifyPdfForm(request.POST, request.FILES)
        if pdf_form.is_valid():
            pdf_result = verify_pdf(pdf_form.cleaned_data["file"].read())
            if not pdf_result.is_pdf:
                pdf_form.add_error(
                    "file", _("This file is not a PDF document, so it cannot be a certificate.")
                )
                pdf_result = None
    elif number_form.is_valid():
        return redirect("certificates:verify", number=number_form.cleaned_data["number"])
    return render(
        request,
        "certificates/verify.html",
        {"number_form": number_form, "pdf_form": pdf_form, "pdf_result": pdf_result},
    )


@require_GET
@limit_public_reads
@cached_public_page
def verify(request, number):
    """Whether certificate `number` is valid now. The QR code on every certificate points here."""
    result = verify_number(number)
    return render(
        request,
        "certificates/verify_result.html",
        {
            # Canonical when it has the shape of a number; what was typed (shortened) otherwise.
            "number": result.number,
            "result": result,
            "number_form": VerifyNumberForm(initial={"number": result.number}),
        },
    )


@require_GET
@limit_public_reads
@cached_public_page
def registry(request):
    """The public register of certified call centers: company, number, province, validity."""
    form = RegistryFilterForm(request.GET or None, state_choices=_state_choices(REGISTRY_STATES))
    filters = form.cleaned_data if form.is_valid() else {}
    certificates = selectors.registry(
        query=filters.get("q", ""),
        province=filters.get("province", ""),
        state=filters.get("state", ""),
    )
    return render(
        request,
        "certificates/registry.html",
        {
            "form": form,
            "page": _paginate(request, certificates, CappedPaginator),
            "count_cap": CappedPaginator.COUNT_CAP,
            "max_render_attempts": MAX_RENDER_ATTEMPTS,
        },
    )


# Organization and staff ------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    """The applicant's certificates, newest first."""
    if request.user.is_ministry_staff:
        return redirect("certificates:staff_list")
    certificates = attach_sanctions(
        Certificate.objects.visible_to(request.user).order_by("-issued_on", "-pk")
    )
    return render(request, "certificates/mine.html", {"certificates": certificates})


# How the history names what happened (audit actions written by certificates.services).
HISTORY_ACTIONS = {
    "issue": gettext_lazy("Certificate issued"),
    "suspend": gettext_lazy("Suspended"),
    "reinstate": gettext_lazy("Reinstated"),
    "revoke": gettext_lazy("Revoked"),
    "supersede": gettext_lazy("Replaced by a newer certificate"),
    "expire": gettext_lazy("Expired"),
    "fine_impose": gettext_lazy("Fine imposed"),
    "fine_paid": gettext_lazy("Fine recorded as paid"),
    "carry_suspension": gettext_lazy(
        "Issued suspended: the suspension of the certificate it replaces carries over"
    ),
    "fine_carry": gettext_lazy("Unpaid fine carried over from the certificate it replaces"),
    "hand_over": gettext_lazy("Replaced by the renewed certificate"),
}


def _state_label(value):
    try:
        return CertificateState(value).label
    except ValueError:
        return value


def _history(certificate):
    return [
        {
            "entry": entry,
            "label": HISTORY_ACTIONS.get(entry.action, entry.action),
            "from_state": _state_label(entry.from_state) if entry.from_state else "",
            "to_state": _state_label(entry.to_state) if entry.to_state else "",
        }
        for entry in selectors.certificate_history(certificate)
    ]


@login_required
@require_GET
def detail(request, pk):
    certificate = get_object_or_404(
        selectors.certificate_detail_queryset().visible_to(request.user), pk=pk
    )
    is_staff = request.user.is_ministry_staff
    newer = None
    if certificate.state == CertificateState.SUPERSEDED:
        newer = certificate.superseded_by.order_by("-pk").first()
    context = {
        "certificate": certificate,
        "sanctions": sorted(certificate.sanctions.all(), key=lambda s: s.pk, reverse=True),
        "is_staff": is_staff,
        "history": _history(certificate) if is_staff else [],
        "newer": newer,
        "today": timezone.localdate(),
        "max_render_attempts": MAX_RENDER_ATTEMPTS,
        "render_failed": services.render_failed(certificate),
    }
    return render(request, "certificates/detail.html", context)


@login_required
@require_http_methods(["POST"])
def render_again(request, pk):
    """Staff: start the PDF render again after it failed."""
    _require_staff(request)
    certificate = _certificate_for(request, pk)
    try:
        services.certificate_render_again(certificate=certificate, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The PDF is being made again."))
    return redirect("certificates:detail", pk=certificate.pk)


@login_required
@require_GET
def pdf_status(request, pk):
    """htmx partial: polls itself every 2 s while the PDF is being made, then shows the link."""
    certificate = _certificate_for(request, pk)
    return render(
        request,
        "certificates/_pdf_status.html",
        {"certificate": certificate, "max_render_attempts": MAX_RENDER_ATTEMPTS},
    )


@login_required
@require_GET
def download(request, pk):
    certificate = _certificate_for(request, pk)
    if not certificate.pdf:
        messages.info(request, _("The PDF is still being made. Try again in a moment."))
        return redirect("certificates:detail", pk=certificate.pk)
    record_read(
        reader=request.user,
        obj=certificate,
        kind=ReadKind.CERTIFICATE,
        organization=certificate.organization,
        application_id=certificate.application_id,
    )
    return services.certificate_pdf_response(certificate=certificate)


@login_required
@require_GET
def poster(request, pk):
    """The A4 display poster of an active certificate (PDF), for its holder to print."""
    from certificates.signing import render_poster

    certificate = _certificate_for(request, pk)
    if certificate.state != CertificateState.ACTIVE:
        messages.error(request, _("Only a certificate in force has a display poster."))
        return redirect("certificates:detail", pk=certificate.pk)
    response = HttpResponse(render_poster(certificate).pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}-poster.pdf"'
    return response


@login_required
@require_GET
def staff_list(request):
    _require_staff(request)
    form = StaffFilterForm(request.GET or None, state_choices=_state_choices())
    filters = form.cleaned_data if form.is_valid() else {}
    certificates = selectors.staff_certificates(
        state=filters.get("state", ""),
        expiring_within_days=filters.get("expiring_within_days"),
        province=filters.get("province", ""),
        pdf_failed=filters.get("pdf_failed", False),
    )
    return render(
        request,
        "certificates/staff_list.html",
        {"form": form, "page": _paginate(request, certificates)},
    )


# Staff decisions -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def approve(request, application_pk):
    """Approve an application whose inspection passed and issue its certificate.

    The first POST (from the panel on the application page) shows a confirmation page; the
    POST carrying `confirm=1` acts. A double click or a colleague who was faster gets the
    service's StaleState as a message, and still exactly one certificate exists.
    """
    _require_staff(request)
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
        messages.error(request, error.message)
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


def _add_service_errors(form, error):
    """Show a service's input refusal on the form, beside the field it names if the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _sanction_view(request, pk, *, form_class, page, perform):
    """Form → confirmation → service. Invalid input re-shows the form and changes nothing."""
    _require_staff(request)
    certificate = _certificate_for(request, pk)
    form = form_class(request.POST if request.method == "POST" else None, certificate=certificate)
    context = {
        "certificate": certificate,
        "form": form,
        "page": page,
        "expected_state": _expected_state(request) or certificate.state,
        "today": timezone.localdate(),
    }
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirm") != "1":
            return render(request, "certificates/sanction_confirm.html", context)
        try:
            perform(certificate, form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        except ServiceError as error:
            messages.error(request, error.message)
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
            expected_state=_expected_state(request),
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
    _require_staff(request)
    certificate = _certificate_for(request, pk)
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
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ServiceError as error:
            messages.error(request, error.message)
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


# Keeping a certificate: change reports and renewals ---------------------------------------------


def _member_certificate(request, pk):
    """The organization's certificate: 404 for another tenant's (never confirms it exists),
    403 for staff (they see it, but reporting and renewing are the organization's)."""
    certificate = _certificate_for(request, pk)
    membership = request.user.membership
    if membership is None or membership.organization_id != certificate.organization_id:
        raise PermissionDenied
    return certificate


@login_required
@require_http_methods(["GET", "POST"])
def start_follow_up(request, pk, kind):
    """GET: what will happen, and the button (POST). POST: start the draft of `kind` (a kind
    started from a certificate: renewal, change report)."""
    kind = kinds.KINDS.get(kind)
    if kind is None or not kind.follows_certificate:
        raise Http404
    certificate = _member_certificate(request, pk)
    if request.method == "POST":
        try:
            application = keeping.application_start(
                certificate=certificate, actor=request.user, kind=kind
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("applications:dashboard")
        messages.success(request, kind.started)
        return redirect("applications:step", pk=application.pk, step="company")
    context = {
        "certificate": certificate,
        "kind": kind,
        "check": keeping.can_start(certificate, kind),
        "window_opens": keeping.window_opens(certificate, kind),
        "approval_effect": kind.approval_effect(issued_on=services.today(), basis=certificate),
    }
    return render(request, "certificates/start_follow_up.html", context)
