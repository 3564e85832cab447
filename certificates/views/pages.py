"""A certificate's pages: the organization's list, the certificate page (with its history
for the staff), the PDF and the display poster; the staff certificate list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from certificates import selectors, services
from certificates.constants import CertificateState
from certificates.downloads import certificate_pdf_response
from certificates.forms import StaffFilterForm
from certificates.models import Certificate
from certificates.sanctions import attach_sanctions
from certificates.timeline import certificate_timeline
from certificates.views.common import (
    MAX_RENDER_ATTEMPTS,
    certificate_for,
    paginate,
    require_staff,
    state_choices,
)
from registrasi.accounts.reads import ReadKind, record_read
from registrasi.pagination import CappedPaginator
from registrasi.refusals import report_refusal
from registrasi.services import ServiceError

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


# The staff's decisions on a certificate page, in the order offered: (name, label, class).
STAFF_ACTIONS = (
    ("fine", gettext_lazy("Impose a fine"), "button secondary"),
    ("suspend", gettext_lazy("Suspend"), "button secondary"),
    ("reinstate", gettext_lazy("Reinstate"), "button secondary"),
    ("revoke", gettext_lazy("Revoke"), "btn danger"),
)


def _staff_actions(certificate, user):
    """The decisions `user` may take on `certificate` now, as the lifecycle lists them
    (django-fsm: state and permission). A fine is no transition: it goes with revocation,
    on a certificate in force (active or suspended)."""
    names = {t.name for t in certificate.get_available_user_state_transitions(user)}
    if "revoke" in names:
        names.add("fine")
    return [
        {
            "url": reverse(f"certificates:{name}", args=[certificate.pk]),
            "label": label,
            "style": style,
        }
        for name, label, style in STAFF_ACTIONS
        if name in names
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
        "history": certificate_timeline(certificate) if is_staff else [],
        "newer": newer,
        "today": timezone.localdate(),
        "max_render_attempts": MAX_RENDER_ATTEMPTS,
        "render_failed": services.render_failed(certificate),
        "actions": _staff_actions(certificate, request.user) if is_staff else [],
    }
    return render(request, "certificates/detail.html", context)


@login_required
@require_http_methods(["POST"])
def render_again(request, pk):
    """Staff: start the PDF render again after it failed."""
    require_staff(request)
    certificate = certificate_for(request, pk)
    try:
        services.certificate_render_again(certificate=certificate, actor=request.user)
    except ServiceError as error:
        report_refusal(request, error)
    else:
        messages.success(request, _("The PDF is being made again."))
    return redirect("certificates:detail", pk=certificate.pk)


@login_required
@require_GET
def pdf_status(request, pk):
    """htmx partial: polls itself every 2 s while the PDF is being made, then shows the link."""
    certificate = certificate_for(request, pk)
    return render(
        request,
        "certificates/_pdf_status.html",
        {"certificate": certificate, "max_render_attempts": MAX_RENDER_ATTEMPTS},
    )


@login_required
@require_GET
def download(request, pk):
    certificate = certificate_for(request, pk)
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
    return certificate_pdf_response(certificate=certificate)


@login_required
@require_GET
def poster(request, pk):
    """The A4 display poster of an active certificate (PDF), for its holder to print."""
    from certificates.signing import render_poster

    certificate = certificate_for(request, pk)
    if certificate.state != CertificateState.ACTIVE:
        messages.error(request, _("Only a certificate in force has a display poster."))
        return redirect("certificates:detail", pk=certificate.pk)
    response = HttpResponse(render_poster(certificate).pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}-poster.pdf"'
    return response


@login_required
@require_GET
def staff_list(request):
    require_staff(request)
    form = StaffFilterForm(request.GET or None, state_choices=state_choices())
    filters = form.cleaned_data if form.is_valid() else {}
    certificates = selectors.staff_certificate_list(
        state=filters.get("state", ""),
        expiring_within_days=filters.get("expiring_within_days"),
        province=filters.get("province", ""),
        pdf_failed=filters.get("pdf_failed", False),
    )
    return render(
        request,
        "certificates/staff_list.html",
        {
            "form": form,
            # Counted up to a cap: 60,000 certificates counted on every page view cost as
            # much as the rest of the page (issue 14).
            "page": paginate(request, certificates, CappedPaginator),
            "count_cap": CappedPaginator.COUNT_CAP,
            "max_render_attempts": MAX_RENDER_ATTEMPTS,
        },
    )
