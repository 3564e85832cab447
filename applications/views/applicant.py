"""The applicant's pages: the dashboard, the guided flow (one step a page), uploads,
submitting and withdrawing. The ministry reads the application page instead."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications import selectors, services
from applications.constants import (
    DOCUMENT_UPLOAD_STATES,
    EDITABLE_STATES,
    REPLACEMENT_UPLOAD_STATES,
    REQUIRED_DOCUMENT_TYPES,
    WITHDRAWABLE_STATES,
    ApplicationState,
    DocumentType,
)
from applications.documents import document_download_response
from applications.forms import (
    CompanyForm,
    DocumentUploadForm,
    OperationForm,
    OptionalReasonForm,
    SiteFormSet,
)
from applications.models import DocumentVersion, is_member
from applications.views.common import (
    application_for,
    confirm_with_reason,
    member_application,
    refuse_edit,
    refuse_stale,
    refuse_state,
    to_detail,
    transition,
)
from applications.views.page import (
    STEP_NAMES,
    STEPS,
    detail_context,
    first_incomplete_step,
)
from registrasi.access import refuse_role
from registrasi.accounts.reads import ReadKind, record_read
from registrasi.accounts.retention import removed_file_response
from registrasi.refusals import add_service_error, report_refusal
from registrasi.services import ServiceError

S = ApplicationState


@login_required
def dashboard(request):
    user = request.user
    if not user.is_applicant:
        # Each role has its own start page; home sends people there.
        return redirect("home")
    applications = selectors.applicant_dashboard(user=user)
    return render(request, "applications/dashboard.html", {"applications": applications})


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    refuse_role(request.user.is_applicant, public_page=True)
    if request.method == "POST":
        try:
            application = services.application_create(
                organization=request.user.organization, actor=request.user
            )
        except ServiceError as exc:
            report_refusal(request, exc)
            return redirect("applications:dashboard")
        messages.success(request, _("Your application was started as a draft."))
        return redirect("applications:step", pk=application.pk, step="company")
    documents = [DocumentType(t).label for t in REQUIRED_DOCUMENT_TYPES]
    return render(request, "applications/new.html", {"steps": STEPS, "documents": documents})


@login_required
def resume(request, pk):
    """Where the dashboard's "continue" leads: the first step still incomplete."""
    application = application_for(request, pk)
    if not (is_member(application, request.user) and application.state in EDITABLE_STATES):
        return to_detail(application)
    detail = selectors.application_detail(application=application)
    status = selectors.step_status(detail=detail)
    return redirect("applications:step", pk=pk, step=first_incomplete_step(status))


@login_required
@require_http_methods(["GET", "POST"])
def step(request, pk, step):
    if step not in STEP_NAMES:
        raise Http404
    application = application_for(request, pk)
    if not is_member(application, request.user):
        # The guided flow is the applicant's; the ministry reads the application page.
        return to_detail(application)
    if request.method == "POST":
        refused = refuse_edit(request, application)
        if refused:
            return refused
    return STEP_VIEWS[step](request, application)


def _render_step(request, application, step_name, extra, status=200):
    context = detail_context(request, application)
    context.update(extra)
    context["step"] = step_name
    index = STEP_NAMES.index(step_name)
    context["previous_step"] = STEP_NAMES[index - 1] if index else None
    context["following_step"] = STEP_NAMES[index + 1] if index + 1 < len(STEP_NAMES) else None
    return render(request, f"applications/step_{step_name}.html", context, status=status)


def _save_and_continue(request, application, action, following, form):
    """Save through the service and go to the next step. Returns None when the service found
    a problem with the input: it is added to `form` and the step shows it."""
    try:
        action()
    except ValidationError as exc:
        add_service_error(form, exc)
        return None
    except ServiceError as exc:
        report_refusal(request, exc)
        return to_detail(application)
    messages.success(request, _("Saved."))
    return redirect("applications:step", pk=application.pk, step=following)


def _step_company(request, application):
    if request.method == "POST":
        form = CompanyForm(request.POST)
        if form.is_valid():
            response = _save_and_continue(
                request,
                application,
                lambda: services.application_update_details(
                    application=application, actor=request.user, data=form.cleaned_data
                ),
                "operation",
                form,
            )
            if response is not None:
                return response
    else:
        organization = application.organization
        form = CompanyForm(
            initial={
                "company_legal_name": application.company_legal_name or organization.legal_name,
                "company_address": application.company_address or organization.address,
                "company_province": application.company_province or organization.province,
            }
        )
    return _render_step(request, application, "company", {"form": form})


def _step_operation(request, application):
    if request.method == "POST":
        form = OperationForm(request.POST)
        formset = SiteFormSet(request.POST, prefix="sites")
        if form.is_valid() and formset.is_valid():

            def save():
                # Both or neither: facts that do not match the saved sites help nobody.
                with transaction.atomic():
                    services.application_update_details(
                        application=application, actor=request.user, data=form.cleaned_data
                    )
                    services.application_set_sites(
                        application=application, actor=request.user, sites=formset.sites()
                    )

            response = _save_and_continue(request, application, save, "documents", form)
            if response is not None:
                return response
    else:
        form = OperationForm(
            initial={
                "agent_seats": application.agent_seats,
                "direction": application.direction,
                "sourcing": application.sourcing,
                "foreign_owned": application.foreign_owned,
            }
        )
        formset = SiteFormSet(
            prefix="sites",
            initial=[
                {"address": s.address, "province": s.province, "agent_seats": s.agent_seats}
                for s in application.sites.all()
            ],
        )
    return _render_step(request, application, "operation", {"form": form, "formset": formset})


def _continue_past(request, application, step, following):
    """ "Continue" on a step without facts of its own: the applicant went through it."""
    try:
        services.application_confirm_step(application=application, actor=request.user, step=step)
    except ServiceError as exc:
        report_refusal(request, exc)
        return to_detail(application)
    return redirect("applications:step", pk=application.pk, step=following)


def _step_documents(request, application, upload_form=None, status=200):
    if request.method == "POST" and upload_form is None:
        # Documents are saved as they are uploaded; "continue" confirms the step, moves on.
        return _continue_past(request, application, "documents", "fee")
    initial_type = request.GET.get("type")
    form = upload_form or DocumentUploadForm(
        initial={"document_type": initial_type} if initial_type else None
    )
    return _render_step(request, application, "documents", {"upload_form": form}, status=status)


def _step_fee(request, application):
    if request.method == "POST":
        # "Continue": the applicant has seen the fee.
        return _continue_past(request, application, "fee", "review")
    return _render_step(request, application, "fee", {})


def _step_review(request, application):
    if request.method == "POST":
        # Submitting has its own endpoint; a POST here only comes from an old form.
        return redirect("applications:step", pk=application.pk, step="review")
    return _render_step(request, application, "review", {})


STEP_VIEWS = {
    "company": _step_company,
    "operation": _step_operation,
    "documents": _step_documents,
    "fee": _step_fee,
    "review": _step_review,
}


@login_required
@require_POST
def upload(request, pk):
    application = member_application(request, pk)
    refused = refuse_stale(request, application)
    if refused:
        return refused
    if application.state not in DOCUMENT_UPLOAD_STATES + REPLACEMENT_UPLOAD_STATES:
        return refuse_state(
            request,
            application,
            _("Documents cannot be uploaded while the application is “%(state)s”."),
        )
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = services.document_upload(
                application=application,
                actor=request.user,
                document_type=form.cleaned_data["document_type"],
                uploaded_file=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            # An error naming a field goes beside it; an error without one is about the file.
            add_service_error(form, exc, field="file")
        except ServiceError as exc:
            report_refusal(request, exc)
            return to_detail(application)
        else:
            messages.success(
                request,
                _("“%(name)s” was uploaded as version %(number)s.")
                % {"name": version.original_name, "number": version.number},
            )
            if application.state in EDITABLE_STATES:
                return redirect("applications:step", pk=application.pk, step="documents")
            return to_detail(application)
    # Show the errors where the form is: the documents step, or the application page after a
    # failed inspection (the guided flow is closed then).
    if application.state in EDITABLE_STATES:
        return _step_documents(request, application, upload_form=form, status=400)
    context = detail_context(request, application)
    context["upload_form"] = form
    return render(request, "applications/detail.html", context, status=400)


@login_required
def document_download(request, version_pk):
    version = get_object_or_404(
        DocumentVersion.objects.visible_to(request.user).select_related(
            "document__application__organization"
        ),
        pk=version_pk,
    )
    if not version.file:
        return removed_file_response(request, rule_key="ended_application_documents")
    application = version.document.application
    record_read(
        reader=request.user,
        obj=version,
        kind=ReadKind.DOCUMENT,
        organization=application.organization,
        application_id=application.pk,
    )
    return document_download_response(version=version)


@login_required
@require_POST
def submit(request, pk):
    application = member_application(request, pk)
    if application.state == S.RETURNED:
        success = _("Your corrected application was sent to the ministry again.")
    else:
        success = _("Your application was submitted. The invoice for the fee is below.")
    return transition(
        request,
        application,
        services.application_submit,
        success,
        expected_fee=_expected_fee(request),
    )


def _expected_fee(request):
    """The fee the review page showed (absent from older pages: then not checked)."""
    try:
        return int(request.POST["expected_fee"])
    except (KeyError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    application = member_application(request, pk)
    return confirm_with_reason(
        request,
        application,
        page="applications/withdraw.html",
        form_class=OptionalReasonForm,
        possible=lambda: application.state in WITHDRAWABLE_STATES,
        refusal=_("The application cannot be withdrawn while it is “%(state)s”."),
        service=services.application_withdraw,
        success=_("The application was withdrawn."),
    )
