"""The ministry desk's pages on applications: the queue, the review actions (start, return,
accept, reject, document review) and walk-in applications entered at the office."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications import decisions, selectors, services, walkin
from applications.forms import DocumentReviewForm, QueueFilterForm, ReasonForm, WalkInForm
from applications.models import DocumentVersion
from applications.views.common import (
    confirm_with_reason,
    perform,
    refuse_stale,
    staff_application,
    to_detail,
    transition,
)
from applications.views.page import (
    decision_context,
    detail_context,
    render_staff_detail,
)
from registrasi.access import staff_only, staff_page
from registrasi.pagination import CappedPaginator
from registrasi.refusals import add_service_error, report_refusal
from registrasi.services import ServiceError

QUEUE_PAGE_SIZE = 25


@staff_page
def staff_queue(request):
    form = QueueFilterForm(request.GET or None)
    queryset = selectors.staff_queue(filters=form.filters() if form.is_bound else {})
    # Counted up to a cap: at 100,000 applications a count of every open one cost more than
    # the rest of the page (issue 14); past the cap the page says "more than 1,000".
    page = CappedPaginator(queryset, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/staff_queue.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@require_POST
def start_review(request, pk):
    application = staff_application(request, pk)
    return transition(request, application, services.application_start_review, _("Review started."))


@login_required
@require_POST
def return_for_changes(request, pk):
    application = staff_application(request, pk)
    refused = refuse_stale(request, application)
    if refused:
        return refused
    form = ReasonForm(request.POST, prefix="return")
    if not form.is_valid():
        messages.error(request, _("Say what the applicant must change."))
        return render_staff_detail(request, application, status=400, return_form=form)
    return transition(
        request,
        application,
        services.application_return_for_changes,
        _("The application was returned to the applicant."),
        reason=form.cleaned_data["reason"],
    )


@login_required
@require_POST
def accept(request, pk):
    application = staff_application(request, pk)
    return transition(
        request,
        application,
        services.application_accept,
        _("The application was accepted for inspection."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reject(request, pk):
    """A confirmation page with the reason (GET), then the rejection (POST)."""
    application = staff_application(request, pk)
    return confirm_with_reason(
        request,
        application,
        page="applications/reject.html",
        form_class=ReasonForm,
        possible=lambda: (
            "reject" in decisions.available(application=application, user=request.user)
        ),
        refusal=_("The application cannot be rejected while it is “%(state)s”."),
        service=services.application_reject,
        success=_("The application was rejected."),
    )


@login_required
@require_POST
def review_document(request, pk, version_pk):
    """Accept or reject a document version. From the page with htmx (HX-Request) the answer
    is the document's row alone, plus the summary and blockers out of band, so the page keeps
    its place; without JavaScript it is the whole page again."""
    application = staff_application(request, pk)
    version = get_object_or_404(
        DocumentVersion.objects.visible_to(request.user).select_related("document"),
        pk=version_pk,
        document__application=application,
    )
    htmx = request.headers.get("HX-Request") == "true"
    refused = refuse_stale(request, application)
    if refused:
        return _htmx_redirect(refused) if htmx else refused
    form = DocumentReviewForm(request.POST, prefix=f"v{version.pk}")
    if not form.is_valid():
        if htmx:
            return _review_row(request, application, version, review_errors={version.pk: form})
        messages.error(request, _("Say why the document is rejected."))
        return render_staff_detail(
            request, application, status=400, review_errors={version.pk: form}
        )
    if form.accepted:
        success = _("“%(name)s” was accepted.") % {"name": version.original_name}
    else:
        success = _("“%(name)s” was rejected.") % {"name": version.original_name}

    def review():
        services.document_review(
            version=version,
            actor=request.user,
            accepted=form.accepted,
            reason=form.cleaned_data["reason"],
        )

    if not htmx:
        return perform(request, application, review, success)
    try:
        review()
    except (ServiceError, ValidationError) as exc:
        report_refusal(request, exc)
        return _htmx_redirect(to_detail(application))
    return _review_row(request, application, version, reviewed_now=success)


def _htmx_redirect(response):
    """htmx follows a redirect into the row it would swap; tell it to load the page instead."""
    answer = HttpResponse(status=204)
    answer["HX-Redirect"] = response.url
    return answer


def _review_row(request, application, version, **extra):
    application.refresh_from_db()
    context = detail_context(request, application)
    context.update(decision_context(request, application, context))
    row = next(slot for slot in context["document_rows"] if slot.document == version.document)
    context.update({"row": row, "review_errors": None, **extra})
    return render(request, "applications/_staff_review_response.html", context)


# Walk-in applications ------------------------------------------------------------------------


@login_required
@staff_only
@require_http_methods(["GET", "POST"])
def walk_in(request):
    """Staff register a company that came to the office (or find it by NIB) and start its
    application; then they go through the applicant's steps on its behalf."""
    form = WalkInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = walkin.walk_in_start(
                actor=request.user, nib=form.cleaned_data["nib"], company=form.company()
            )
        except (ServiceError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _walk_in_started(application))
            return redirect("applications:step", pk=application.pk, step="company")
    nib = form.data.get("nib", "") if form.is_bound else ""
    return render(
        request,
        "applications/walk_in.html",
        {"form": form, "known": walkin.existing_organization(nib) if nib else None},
        status=400 if form.errors else 200,
    )


def _walk_in_started(application):
    return _(
        "A draft was started for %(company)s. Enter the application on the company's behalf: "
        "the same steps as online."
    ) % {"company": application.organization.legal_name}
