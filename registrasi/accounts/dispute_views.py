"""Pages of NIB disputes: filing one (anyone), confirming the email link, and the staff's list,
detail, documents and decision. Staff pages are a 404 for everyone else."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from registrasi.accounts import disputes
from registrasi.accounts.constants import DisputeState
from registrasi.accounts.forms import DisputeDecisionForm, DisputeForm
from registrasi.accounts.models import DisputeDocument, NibDispute
from registrasi.refusals import add_service_error
from registrasi.services import ServiceError
from registrasi.uploads import download_response


@require_http_methods(["GET", "POST"])
def dispute_start(request):
    form = DisputeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            disputes.dispute_file(**form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return render(
                request, "accounts/signup_sent.html", {"email": form.cleaned_data["email"]}
            )
    return render(request, "accounts/dispute_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def dispute_confirm(request, token):
    try:
        dispute = disputes.dispute_for_link(token)
        if request.method == "POST":
            disputes.dispute_confirm(token=token)
            return render(request, "accounts/dispute_confirmed.html", {"dispute": dispute})
    except disputes.DisputeLinkInvalid as exc:
        return render(request, "accounts/signup_invalid.html", {"message": exc.message}, status=404)
    return render(request, "accounts/dispute_confirm.html", {"dispute": dispute})


def _staff_only(request):
    if not request.user.is_ministry_staff:
        raise Http404


def _visible_disputes():
    """What staff see: disputes whose claimant confirmed the address."""
    return NibDispute.objects.exclude(state=DisputeState.UNCONFIRMED).select_related(
        "organization", "decided_by"
    )


@login_required
def dispute_list(request):
    _staff_only(request)
    return render(request, "accounts/dispute_list.html", {"disputes": _visible_disputes()})


@login_required
@require_http_methods(["GET", "POST"])
def dispute_detail(request, pk):
    _staff_only(request)
    dispute = get_object_or_404(_visible_disputes(), pk=pk)
    form = DisputeDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            disputes.dispute_decide(
                dispute=dispute,
                actor=request.user,
                upheld=form.upheld,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The decision is recorded and both sides are told."))
        return redirect("accounts:dispute_detail", pk=dispute.pk)
    context = {
        "dispute": dispute,
        "form": form,
        "documents": dispute.documents.all(),
        "members": dispute.organization.memberships.select_related("user"),
    }
    return render(request, "accounts/dispute_detail.html", context)


@login_required
def dispute_document(request, pk, document_pk):
    _staff_only(request)
    dispute = get_object_or_404(_visible_disputes(), pk=pk)
    document = get_object_or_404(DisputeDocument, dispute=dispute, pk=document_pk)
    return download_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )
