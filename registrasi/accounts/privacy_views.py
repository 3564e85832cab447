"""Privacy pages: the notice (public), the retention rules (public), and a person's own data:
see it, download it as JSON, delete the account. A person only ever sees their own data."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from registrasi.accounts import privacy, reads
from registrasi.accounts.models import Membership
from registrasi.services import ServiceError


def _contact():
    return getattr(settings, "PRIVACY_CONTACT_EMAIL", settings.DEFAULT_FROM_EMAIL)


def notice(request):
    """The privacy notice, in Indonesian or English as the reader chose."""
    language = "en" if (get_language() or "id").startswith("en") else "id"
    context = {
        "version": privacy.PRIVACY_NOTICE_VERSION,
        "contact": _contact(),
        "rules": privacy.retention_rules(),
    }
    return render(request, f"privacy/notice_{language}.html", context)


def retention(request):
    context = {"rules": privacy.retention_rules(), "notice": reverse("accounts:privacy")}
    return render(request, "privacy/retention.html", context)


@login_required
def my_data(request):
    data = privacy.personal_data(request.user)
    return render(request, "privacy/my_data.html", {"groups": data.values()})


@login_required
def my_data_json(request):
    payload = {
        "exported_at": timezone.now().isoformat(),
        "privacy_notice_version": privacy.PRIVACY_NOTICE_VERSION,
        "data": privacy.personal_data(request.user),
    }
    response = HttpResponse(
        json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="registrasi-my-data.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            privacy.account_erase(actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            logout(request)
            messages.success(request, _("Your account was deleted."))
            return redirect("home")
    elif request.method == "POST":
        messages.error(request, _("Tick the box to confirm the deletion."))
    return render(request, "privacy/delete.html", {"rules": privacy.retention_rules()})


# --- the read log ----------------------------------------------------------------------------

READS_PAGE_SIZE = 50


def _reads_page(request, events, title):
    page = Paginator(events, READS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "privacy/reads.html", {"page": page, "title": title})


@login_required
def organization_reads(request):
    """An owner sees who opened or downloaded their organization's files."""
    memberships = Membership.objects.filter(user=request.user).select_related("organization")
    membership = memberships.first()
    if membership is None or not membership.is_owner:
        raise Http404
    events = reads.reads_of_organization(membership.organization)
    return _reads_page(request, events, membership.organization.legal_name)


@login_required
def application_reads(request, application_id):
    """Staff see who opened or downloaded the files of one application."""
    if not request.user.is_ministry_staff:
        raise Http404
    events = reads.reads_of_application(application_id)
    return _reads_page(request, events, _("Application #%(pk)s") % {"pk": application_id})
