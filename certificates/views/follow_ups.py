"""Keeping a certificate: the organization starts a renewal or a change report from it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from applications import kinds
from certificates import keeping, services
from certificates.views.common import certificate_for
from registrasi.access import refuse_role
from registrasi.refusals import report_refusal
from registrasi.services import ServiceError

# Keeping a certificate: change reports and renewals ---------------------------------------------


def _member_certificate(request, pk):
    """The organization's certificate: 404 for anyone else, staff too (reporting and renewing
    are the organization's; registrasi.access)."""
    certificate = certificate_for(request, pk)
    membership = request.user.membership
    refuse_role(
        membership is not None and membership.organization_id == certificate.organization_id
    )
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
            report_refusal(request, exc)
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
