"""The application page, for every role: the applicant's page, the inspector's read-only
view, and for the staff the decision page (the actions they may take now at its top)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from applications import decisions, selectors
from applications.constants import (
    DOCUMENT_REVIEW_STATES,
    DOCUMENT_UPLOAD_STATES,
    EDITABLE_STATES,
    REPLACEMENT_UPLOAD_STATES,
    WITHDRAWABLE_STATES,
    ReviewStatus,
)
from applications.forms import DocumentUploadForm, ReasonForm
from applications.models import is_member
from applications.timeline import application_timeline
from applications.views.common import application_for
from registrasi.validators import FREE_TEXT_MAX_LENGTH

STEPS = [
    ("company", gettext_lazy("Company details")),
    ("operation", gettext_lazy("Operation")),
    ("documents", gettext_lazy("Documents")),
    ("fee", gettext_lazy("Fee")),
    ("review", gettext_lazy("Review and submit")),
]
STEP_NAMES = [name for name, _label in STEPS]


def _rejected_documents(slots):
    return [slot for slot in slots if slot.current is not None and slot.current.is_rejected]


def first_incomplete_step(status):
    for name in STEP_NAMES:
        if not status[name]:
            return name
    return STEP_NAMES[-1]


def detail_context(request, application):
    detail = selectors.application_detail(application=application)
    slots = detail.documents
    user = request.user
    member = is_member(application, user)
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
        "timeline": application_timeline(detail.timeline),
        "is_member": member,
        "editable": member and application.state in EDITABLE_STATES,
        "can_upload": member and application.state in DOCUMENT_UPLOAD_STATES,
        "replace_only": member and application.state in REPLACEMENT_UPLOAD_STATES,
        "can_withdraw": member and application.state in WITHDRAWABLE_STATES,
        "is_staff": user.is_ministry_staff,
        "steps": _steps_nav(application, selectors.step_status(detail=detail)),
        "next_step": detail.next_step,
    }


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


@login_required
def detail(request, pk):
    application = application_for(request, pk)
    context = detail_context(request, application)
    if request.user.is_ministry_staff:
        return render_staff_detail(request, application, context)
    if context["can_upload"] and not context["editable"]:
        context["upload_form"] = DocumentUploadForm()
    return render(request, "applications/detail.html", context)


def render_staff_detail(request, application, context=None, status=200, **forms):
    context = context or detail_context(request, application)
    context.update(decision_context(request, application, context))
    context.setdefault("return_form", forms.get("return_form") or ReasonForm(prefix="return"))
    context["review_errors"] = forms.get("review_errors")
    if forms.get("return_form") is not None:
        context["open_decision"] = "return_for_changes"
    return render(request, "applications/staff_detail.html", context, status=status)


def decision_context(request, application, context):
    """The decision page's top: the summary and the actions this person may take now."""
    return {
        # Reviewing documents is no transition: the states in which staff review them.
        "actions": {"review_documents": application.state in DOCUMENT_REVIEW_STATES},
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
