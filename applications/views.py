"""Pages of the applications app: the applicant's guided flow, the application page for
every role, and the ministry desk (queue, review actions, payments).

Views stay thin: fetch through `visible_to` (other tenants get 404), validate a form, call a
service, turn its refusal into a message. Every POST carries the state the page showed
(`expected_state`); a page that went stale gets a message saying what the application is now.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from applications import decisions, selectors, services, walkin
from applications.constants import (
    DOCUMENT_REVIEW_STATES,
    DOCUMENT_UPLOAD_STATES,
    EDITABLE_STATES,
    REPLACEMENT_UPLOAD_STATES,
    REQUIRED_DOCUMENT_TYPES,
    WITHDRAWABLE_STATES,
    ApplicationState,
    DocumentType,
    ReviewStatus,
)
from applications.documents import document_download_response
from applications.forms import (
    CompanyForm,
    DocumentReviewForm,
    DocumentUploadForm,
    OperationForm,
    OptionalReasonForm,
    QueueFilterForm,
    ReasonForm,
    SiteFormSet,
    WalkInForm,
)
from applications.models import Application, DocumentVersion, is_member
from registrasi.accounts.reads import ReadKind, record_read
from registrasi.accounts.retention import removed_file_response
from registrasi.audit.notes import render_note
from registrasi.money import format_rupiah
from registrasi.services import ServiceError, StaleState
from registrasi.validators import FREE_TEXT_MAX_LENGTH

S = ApplicationState
QUEUE_PAGE_SIZE = 25

STEPS = [
    ("company", gettext_lazy("Company details")),
    ("operation", gettext_lazy("Operation")),
    ("documents", gettext_lazy("Documents")),
    ("fee", gettext_lazy("Fee")),
    ("review", gettext_lazy("Review and submit")),
]
STEP_NAMES = [name for name, _label in STEPS]


# Access helpers ----------------------------------------------------------------------------


def _application(request, pk):
    """The application if the user may see it, else 404 (never confirms another tenant's)."""
    queryset = Application.objects.visible_to(request.user).select_related("organization")
    return get_object_or_404(queryset, pk=pk)


def _is_member(user, application):
    """A member of the organization, or the officer who entered this walk-in for it."""
    return is_member(application, user)


def _member_application(request, pk):
    """For the applicant's own actions: 404 when invisible, 403 for staff and inspectors
    (they can see the application but these actions are not theirs)."""
    application = _application(request, pk)
    if not _is_member(request.user, application):
        raise PermissionDenied
    return application


def _staff_application(request, pk):
    """For the ministry desk's actions: 404 when invisible, 403 for an applicant looking at
    their own application or an assigned inspector."""
    application = _application(request, pk)
    if not request.user.is_ministry_staff:
        raise PermissionDenied
    return application


def staff_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_ministry_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _to_detail(application):
    return redirect("applications:detail", pk=application.pk)


def _stale_message(application):
    return _("This was changed by someone else in the meantime; it is now “%(state)s”.") % {
        "state": application.get_state_display()
    }


def _expected_state(request):
    return request.POST.get("expected_state") or None


def _refuse_stale(request, application):
    """A redirect when the page the POST came from showed another state, else None."""
    expected = _expected_state(request)
    if expected is not None and expected != application.state:
        messages.warning(request, _stale_message(application))
        return _to_detail(application)
    return None


def _refuse_state(request, application, message):
    """Back to the detail page with `message`, which names the current state."""
    messages.error(request, message % {"state": application.get_state_display()})
    return _to_detail(application)


def _refuse_edit(request, application):
    """A redirect with a message when this POST may not change the application now."""
    refused = _refuse_stale(request, application)
    if refused:
        return refused
    if application.state not in EDITABLE_STATES:
        return _refuse_state(
            request, application, _("The application cannot be changed while it is “%(state)s”.")
        )
    return None


def _report_refusal(request, exc):
    """A service's refusal as a message: a stale page is a warning, the rest an error."""
    if isinstance(exc, StaleState):
        messages.warning(request, exc.message)
    else:
        messages.error(request, exc.message)


def _perform(request, application, action, success):
    """Run a service call, turning its refusals into messages; back to the detail page."""
    try:
        action()
    except ServiceError as exc:
        _report_refusal(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return _to_detail(application)


def _transition(request, application, service, success, **kwargs):
    """A state change through its service, checked against the state the page showed."""
    return _perform(
        request,
        application,
        lambda: service(
            application=application,
            actor=request.user,
            expected_state=_expected_state(request),
            **kwargs,
        ),
        success,
    )


# What the pages show -----------------------------------------------------------------------


def _rejected_documents(slots):
    return [slot for slot in slots if slot.current is not None and slot.current.is_rejected]


def _step_status(application, rows, sites):
    """Which steps are complete: drives the step list and where "continue" leads."""
    company = bool(
        application.company_legal_name
        and application.company_address
        and application.company_province
    )
    operation = bool(
        application.agent_seats and application.direction and application.sourcing and sites
    )
    documents = not any(slot.needs_upload for slot in rows)
    return {
        "company": company,
        "operation": operation,
        "documents": documents,
        "fee": company and operation,
        "review": False,
    }


def _first_incomplete_step(status):
    for name in STEP_NAMES:
        if not status[name]:
            return name
    return STEP_NAMES[-1]


def _detail_context(request, application):
    detail = selectors.application_detail(application=application)
    slots = detail.documents
    user = request.user
    is_member = _is_member(user, application)
    return {
        "application": application,
        "detail": detail,
        "sites": detail.sites,
        "document_rows": slots,
        "rejected_documents": _rejected_documents(slots),
        "missing": detail.missing,
        "quote": detail.fee,
        "invoice": detail.invoice,
        "invoices": detail.invoices,
        "fee_change": detail.fee_change,
        "blockers": detail.blockers,
        "payments": detail.payments,
        "timeline": _timeline_entries(detail.timeline),
        "is_member": is_member,
        "editable": is_member and application.state in EDITABLE_STATES,
        "can_upload": is_member and application.state in DOCUMENT_UPLOAD_STATES,
        "replace_only": is_member and application.state in REPLACEMENT_UPLOAD_STATES,
        "can_withdraw": is_member and application.state in WITHDRAWABLE_STATES,
        "is_staff": user.is_ministry_staff,
        "steps": _steps_nav(application, _step_status(application, slots, detail.sites)),
        "next_step": detail.next_step,
    }


ACTION_LABELS = {
    "create": gettext_lazy("Draft started"),
    "update_details": gettext_lazy("Details changed"),
    "set_sites": gettext_lazy("Sites changed"),
    "document_upload": gettext_lazy("Document uploaded"),
    "document_review": gettext_lazy("Document reviewed"),
    "document_purged": gettext_lazy("Document removed under the retention rule"),
    "submit": gettext_lazy("Submitted"),
    "invoice_issued": gettext_lazy("Invoice issued"),
    "invoice_amended": gettext_lazy("Invoice amount updated"),
    "invoice_cancelled": gettext_lazy("Invoice cancelled"),
    "payment_recorded": gettext_lazy("Payment recorded"),
    "start_review": gettext_lazy("Review started"),
    "return_for_changes": gettext_lazy("Returned for changes"),
    "accept": gettext_lazy("Accepted for inspection"),
    "reject": gettext_lazy("Rejected"),
    "withdraw": gettext_lazy("Withdrawn"),
    "schedule": gettext_lazy("Inspection scheduled"),
    "unschedule": gettext_lazy("Inspection cancelled"),
    "record_pass": gettext_lazy("Inspection passed"),
    "record_fail": gettext_lazy("Inspection failed"),
    "resubmit": gettext_lazy("Resubmitted for inspection"),
    "approve": gettext_lazy("Approved"),
}


def _timeline_entries(events):
    """Audit events as the timeline shows them: a label, the new state, who and when."""
    entries = []
    for event in events:
        to_state = event.to_state if event.to_state != event.from_state else ""
        detail = ""
        data = event.data or {}
        documents = ("document_upload", "document_review", "document_purged")
        if event.action in documents and data.get("document_type"):
            detail = _("%(type)s, version %(version)s") % {
                "type": _document_label(data["document_type"]),
                "version": data.get("version", "?"),
            }
            if data.get("status"):
                detail += " — " + str(_review_label(data["status"]))
        elif event.action.startswith("invoice_") and data.get("number"):
            detail = f"{data['number']} · {format_rupiah(data.get('amount'))}"
        entries.append(
            {
                "created_at": event.created_at,
                "actor": event.actor.get_full_name() if event.actor else "",
                "label": ACTION_LABELS.get(event.action, event.action.replace("_", " ")),
                "to_state_label": _state_label(to_state) if to_state else "",
                "detail": detail,
                "note": render_note(event),
            }
        )
    return entries


def _state_label(value):
    return ApplicationState(value).label if value in ApplicationState.values else value


def _document_label(value):
    return DocumentType(value).label if value in DocumentType.values else value


def _review_label(value):
    return ReviewStatus(value).label if value in ReviewStatus.values else value


def _steps_nav(application, status):
    return [
        {
            "name": name,
            "label": label,
            "done": status[name],
            "url": reverse("applications:step", args=[application.pk, name]),
        }
        for name, label in STEPS
    ]


# Applicant pages ---------------------------------------------------------------------------


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
    if not request.user.is_applicant:
        raise PermissionDenied
    if request.method == "POST":
        try:
            application = services.application_create(
                organization=request.user.organization, actor=request.user
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("applications:dashboard")
        messages.success(request, _("Your application was started as a draft."))
        return redirect("applications:step", pk=application.pk, step="company")
    documents = [DocumentType(t).label for t in REQUIRED_DOCUMENT_TYPES]
    return render(request, "applications/new.html", {"steps": STEPS, "documents": documents})


@login_required
def resume(request, pk):
    """Where the dashboard's "continue" leads: the first step still incomplete."""
    application = _application(request, pk)
    if not (_is_member(request.user, application) and application.state in EDITABLE_STATES):
        return _to_detail(application)
    detail = selectors.application_detail(application=application)
    status = _step_status(application, detail.documents, detail.sites)
    return redirect("applications:step", pk=pk, step=_first_incomplete_step(status))


@login_required
@require_http_methods(["GET", "POST"])
def step(request, pk, step):
    if step not in STEP_NAMES:
        raise Http404
    application = _application(request, pk)
    if not _is_member(request.user, application):
        # The guided flow is the applicant's; the ministry reads the application page.
        return _to_detail(application)
    if request.method == "POST":
        refused = _refuse_edit(request, application)
        if refused:
            return refused
    return STEP_VIEWS[step](request, application)


def _render_step(request, application, step_name, extra, status=200):
    context = _detail_context(request, application)
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
        form.add_error(None, exc.messages)
        return None
    except ServiceError as exc:
        _report_refusal(request, exc)
        return _to_detail(application)
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


def _step_documents(request, application, upload_form=None, status=200):
    if request.method == "POST" and upload_form is None:
        # Documents are saved as they are uploaded; "continue" just moves on.
        return redirect("applications:step", pk=application.pk, step="fee")
    initial_type = request.GET.get("type")
    form = upload_form or DocumentUploadForm(
        initial={"document_type": initial_type} if initial_type else None
    )
    return _render_step(request, application, "documents", {"upload_form": form}, status=status)


def _step_fee(request, application):
    if request.method == "POST":
        return redirect("applications:step", pk=application.pk, step="review")
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
    application = _member_application(request, pk)
    refused = _refuse_stale(request, application)
    if refused:
        return refused
    if application.state not in DOCUMENT_UPLOAD_STATES + REPLACEMENT_UPLOAD_STATES:
        return _refuse_state(
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
            # A problem with the file goes next to the file; anything else above the form.
            form.add_error(None if hasattr(exc, "error_dict") else "file", exc)
        except ServiceError as exc:
            _report_refusal(request, exc)
            return _to_detail(application)
        else:
            messages.success(
                request,
                _("“%(name)s” was uploaded as version %(number)s.")
                % {"name": version.original_name, "number": version.number},
            )
            if application.state in EDITABLE_STATES:
                return redirect("applications:step", pk=application.pk, step="documents")
            return _to_detail(application)
    # Show the errors where the form is: the documents step, or the application page after a
    # failed inspection (the guided flow is closed then).
    if application.state in EDITABLE_STATES:
        return _step_documents(request, application, upload_form=form, status=400)
    context = _detail_context(request, application)
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
    application = _member_application(request, pk)
    if application.state == S.RETURNED:
        success = _("Your corrected application was sent to the ministry again.")
    else:
        success = _("Your application was submitted. The invoice for the fee is below.")
    return _transition(
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
    application = _member_application(request, pk)
    if request.method == "POST":
        form = OptionalReasonForm(request.POST)
        if form.is_valid():
            return _transition(
                request,
                application,
                services.application_withdraw,
                _("The application was withdrawn."),
                reason=form.cleaned_data["reason"],
            )
    else:
        if application.state not in WITHDRAWABLE_STATES:
            return _refuse_state(
                request,
                application,
                _("The application cannot be withdrawn while it is “%(state)s”."),
            )
        form = OptionalReasonForm()
    return render(request, "applications/withdraw.html", {"application": application, "form": form})


# The application page, for every role --------------------------------------------------------


@login_required
def detail(request, pk):
    application = _application(request, pk)
    context = _detail_context(request, application)
    if request.user.is_ministry_staff:
        return _render_staff_detail(request, application, context)
    if context["can_upload"] and not context["editable"]:
        context["upload_form"] = DocumentUploadForm()
    return render(request, "applications/detail.html", context)


def _render_staff_detail(request, application, context=None, status=200, **forms):
    context = context or _detail_context(request, application)
    context.update(_decision_context(request, application, context))
    context.setdefault("return_form", forms.get("return_form") or ReasonForm(prefix="return"))
    context["review_errors"] = forms.get("review_errors")
    if forms.get("return_form") is not None:
        context["open_decision"] = "return_for_changes"
    return render(request, "applications/staff_detail.html", context, status=status)


def _decision_context(request, application, context):
    """The decision page's top: the summary and the actions this person may take now."""
    return {
        "actions": _staff_actions(application),
        "decisions": decisions.decisions_for(
            application=application, user=request.user, detail=context["detail"]
        ),
        "separation_note": decisions.separation_note(application=application, user=request.user),
        "summary": _documents_summary(context["document_rows"]),
        "reason_max_length": FREE_TEXT_MAX_LENGTH,
    }


def _documents_summary(slots):
    current = [slot.current for slot in slots if slot.current is not None]
    by_status = [version.review_status for version in current]
    return {
        "total": len([slot for slot in slots if slot.required or slot.current]),
        "accepted": by_status.count(ReviewStatus.ACCEPTED),
        "pending": by_status.count(ReviewStatus.PENDING),
        "rejected": by_status.count(ReviewStatus.REJECTED),
    }


def _staff_actions(application):
    """The desk's buttons valid for the current state (the services check again)."""
    state = application.state
    return {
        "start_review": state == S.SUBMITTED,
        "return": state == S.UNDER_REVIEW,
        "accept": state == S.UNDER_REVIEW,
        "reject": state in (S.UNDER_REVIEW, S.INSPECTION_PASSED),
        "review_documents": state in DOCUMENT_REVIEW_STATES,
    }


# Ministry desk -------------------------------------------------------------------------------


@login_required
@staff_required
def staff_queue(request):
    form = QueueFilterForm(request.GET or None)
    queryset = selectors.staff_queue(filters=form.filters() if form.is_bound else {})
    page = Paginator(queryset, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
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
    application = _staff_application(request, pk)
    return _transition(
        request, application, services.application_start_review, _("Review started.")
    )


@login_required
@require_POST
def return_for_changes(request, pk):
    application = _staff_application(request, pk)
    refused = _refuse_stale(request, application)
    if refused:
        return refused
    form = ReasonForm(request.POST, prefix="return")
    if not form.is_valid():
        messages.error(request, _("Say what the applicant must change."))
        return _render_staff_detail(request, application, status=400, return_form=form)
    return _transition(
        request,
        application,
        services.application_return_for_changes,
        _("The application was returned to the applicant."),
        reason=form.cleaned_data["reason"],
    )


@login_required
@require_POST
def accept(request, pk):
    application = _staff_application(request, pk)
    return _transition(
        request,
        application,
        services.application_accept,
        _("The application was accepted for inspection."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reject(request, pk):
    """A confirmation page with the reason (GET), then the rejection (POST)."""
    application = _staff_application(request, pk)
    if request.method == "POST":
        refused = _refuse_stale(request, application)
        if refused:
            return refused
        form = ReasonForm(request.POST)
        if form.is_valid():
            return _transition(
                request,
                application,
                services.application_reject,
                _("The application was rejected."),
                reason=form.cleaned_data["reason"],
            )
        status = 400
    else:
        if not _staff_actions(application)["reject"]:
            return _refuse_state(
                request,
                application,
                _("The application cannot be rejected while it is “%(state)s”."),
            )
        form = ReasonForm()
        status = 200
    return render(
        request,
        "applications/reject.html",
        {"application": application, "form": form},
        status=status,
    )


@login_required
@require_POST
def review_document(request, pk, version_pk):
    """Accept or reject a document version. From the page with htmx (HX-Request) the answer
    is the document's row alone, plus the summary and blockers out of band, so the page keeps
    its place; without JavaScript it is the whole page again."""
    application = _staff_application(request, pk)
    version = get_object_or_404(
        DocumentVersion.objects.visible_to(request.user).select_related("document"),
        pk=version_pk,
        document__application=application,
    )
    htmx = request.headers.get("HX-Request") == "true"
    refused = _refuse_stale(request, application)
    if refused:
        return _htmx_redirect(refused) if htmx else refused
    form = DocumentReviewForm(request.POST, prefix=f"v{version.pk}")
    if not form.is_valid():
        if htmx:
            return _review_row(request, application, version, review_errors={version.pk: form})
        messages.error(request, _("Say why the document is rejected."))
        return _render_staff_detail(
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
        return _perform(request, application, review, success)
    try:
        review()
    except ServiceError as exc:
        _report_refusal(request, exc)
        return _htmx_redirect(_to_detail(application))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _htmx_redirect(_to_detail(application))
    return _review_row(request, application, version, reviewed_now=success)


def _htmx_redirect(response):
    """htmx follows a redirect into the row it would swap; tell it to load the page instead."""
    answer = HttpResponse(status=204)
    answer["HX-Redirect"] = response.url
    return answer


def _review_row(request, application, version, **extra):
    application.refresh_from_db()
    context = _detail_context(request, application)
    context.update(_decision_context(request, application, context))
    row = next(slot for slot in context["document_rows"] if slot.document == version.document)
    context.update({"row": row, "review_errors": None, **extra})
    return render(request, "applications/_staff_review_response.html", context)


# Walk-in applications ------------------------------------------------------------------------


def staff_only(view):
    """A page that exists only for the ministry desk: anyone else gets 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_ministry_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


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
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ServiceError as exc:
            form.add_error(None, exc.message)
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
