"""Privacy pages: the notice (public), the retention rules (public), and a person's own data:
see it, download it as JSON, delete the account. A person only ever sees their own data."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from registrasi.accounts import privacy
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
