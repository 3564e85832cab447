"""The organization's API tokens page: an owner creates, lists and revokes tokens.

The secret is shown once, on the page that answers the creation, and never again; the page
is not cached (PrivateCacheMiddleware) and the secret is never logged.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from certificates.api import tokens as token_services
from certificates.api.models import ApiToken, TokenScope
from registrasi.validators import NameField


class TokenForm(forms.Form):
    name = NameField(label=gettext_lazy("Name"), max_length=100)
    scope = forms.ChoiceField(
        label=gettext_lazy("Scope"), choices=TokenScope.choices, widget=forms.RadioSelect
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=token_services.MAX_DAYS,
        initial=90,
    )


def _owner_membership(request):
    """Only an owner manages tokens; anyone else gets a 404 (the page does not exist for them)."""
    membership = request.user.membership
    if membership is None or not membership.is_owner:
        raise Http404
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    membership = _owner_membership(request)
    form = TokenForm(request.POST or None)
    new = None
    if request.method == "POST" and form.is_valid():
        new = token_services.token_create(
            organization=membership.organization, actor=request.user, **form.cleaned_data
        )
        form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "organization": membership.organization,
            "tokens": ApiToken.objects.visible_to(request.user).select_related("created_by"),
            "form": form,
            "new": new,
        },
    )


@login_required
@require_POST
def revoke(request, pk):
    _owner_membership(request)
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    token_services.token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token was revoked."))
    return redirect("api:tokens")
