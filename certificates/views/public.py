"""Public pages, no login: verifying a certificate by number, QR code or PDF, and the public
register of certified call centers. Rate limited per address."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from certificates import selectors
from certificates.constants import REGISTRY_STATES
from certificates.forms import RegistryFilterForm, VerifyNumberForm, VerifyPdfForm
from certificates.public_cache import cached_public_page
from certificates.rates import public_rate, upload_rate
from certificates.verification import verify_number, verify_pdf
from certificates.views.common import (
    MAX_RENDER_ATTEMPTS,
    paginate,
    state_choices,
)
from registrasi.pagination import CappedPaginator
from registrasi.ratelimits import rate_limit

# Rate limits (certificates.rates) -----------------------------------------------------

limit_public_reads = rate_limit(
    group="certificates:public", key="ip", rate=public_rate, method="GET"
)
limit_pdf_uploads = rate_limit(
    group="certificates:pdf_check", key="ip", rate=upload_rate, method="POST"
)


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
    form = RegistryFilterForm(request.GET or None, state_choices=state_choices(REGISTRY_STATES))
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
            "page": paginate(request, certificates, CappedPaginator),
            "count_cap": CappedPaginator.COUNT_CAP,
            "max_render_attempts": MAX_RENDER_ATTEMPTS,
        },
    )
