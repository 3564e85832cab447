"""The organization's API pages, for its owners only (anyone else gets a 404): tokens
(create, list, revoke) and webhooks (register an endpoint, see its deliveries and every
attempt, send one again, enable a disabled endpoint, delete it).

A token's or an endpoint's secret is shown once, on the page that answers the creation, and
never again; the pages are not cached (PrivateCacheMiddleware) and secrets are never logged.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from certificates.api import tokens as token_services
from certificates.api import webhooks
from certificates.api.models import (
    ApiToken,
    TokenScope,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from registrasi.services import NotAllowed
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


# Webhooks --------------------------------------------------------------------------------
ATTEMPTS_SHOWN = 20


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Address (https://)"), max_length=500, assume_scheme="https"
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        webhooks.check_url(url)
        return url


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request):
    membership = _owner_membership(request)
    form = EndpointForm(request.POST or None)
    new = None
    if request.method == "POST" and form.is_valid():
        try:
            new = webhooks.endpoint_create(
                organization=membership.organization, actor=request.user, **form.cleaned_data
            )
            form = EndpointForm()
        except (NotAllowed, ValidationError) as refusal:
            form.add_error(None, getattr(refusal, "message", None) or refusal.messages[0])
    return render(
        request,
        "api/webhooks.html",
        {
            "organization": membership.organization,
            "endpoints": WebhookEndpoint.objects.visible_to(request.user),
            "form": form,
            "new": new,
        },
    )


def _endpoint(request, pk):
    _owner_membership(request)
    return get_object_or_404(WebhookEndpoint.objects.visible_to(request.user), pk=pk)


@login_required
def webhook_detail(request, pk):
    endpoint = _endpoint(request, pk)
    return render(
        request,
        "api/webhook_detail.html",
        {
            "endpoint": endpoint,
            "deliveries": webhooks.recent_deliveries(endpoint),
            "attempts_shown": ATTEMPTS_SHOWN,
        },
    )


@login_required
@require_POST
def webhook_enable(request, pk):
    endpoint = webhooks.endpoint_enable(endpoint=_endpoint(request, pk), actor=request.user)
    messages.success(request, _("The endpoint is enabled again."))
    return redirect("api:webhook", endpoint.pk)


@login_required
@require_POST
def webhook_delete(request, pk):
    webhooks.endpoint_delete(endpoint=_endpoint(request, pk), actor=request.user)
    messages.success(request, _("The endpoint was deleted."))
    return redirect("api:webhooks")


@login_required
@require_POST
def delivery_send_again(request, pk):
    _owner_membership(request)
    delivery = get_object_or_404(
        WebhookDelivery.objects.visible_to(request.user).select_related("endpoint"), pk=pk
    )
    webhooks.delivery_send_again(delivery=delivery, actor=request.user)
    messages.success(request, _("The delivery is being sent again."))
    return redirect("api:webhook", delivery.endpoint_id)
