"""Second-factor pages, the lockout list staff unlock from, and an owner's requirement."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from registrasi.accounts import second_factor, throttle
from registrasi.accounts.backends import normalize_login
from registrasi.accounts.security_forms import CodeForm, UnlockForm
from registrasi.services import ServiceError

WRONG_CODE = gettext_lazy(
    "This code is not correct. Check that your phone's clock is right and try again."
)


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _verified(request, device):
    """This login is complete: remember the device and clear the account's failure count."""
    otp_login(request, device)
    request.session[second_factor.PENDING_SESSION_KEY] = False
    AxesProxyHandler.reset_attempts(username=normalize_login(request.user.email))


# --- set up, verify, manage -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    user = request.user
    if second_factor.has_second_factor(user) and not user.is_verified():
        # Replacing an authenticator needs this login verified with the current one first.
        return redirect("accounts:second_factor_verify")
    device = second_factor.pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.authenticator_confirm(
            actor=user, device=device, code=form.cleaned_data["code"]
        )
        if codes is not None:
            _verified(request, device)
            context = {"codes": codes, "next": _next_url(request)}
            return render(request, "accounts/backup_codes.html", context)
        form.add_error("code", WRONG_CODE)
    context = {
        "form": form,
        "qr": second_factor.qr_data_uri(device),
        "secret": second_factor.secret_of(device),
        "required": second_factor.required_for(user),
        "next": _next_url(request),
    }
    return render(request, "accounts/second_factor_setup.html", context)


def _locked_out(request, credentials):
    minutes = throttle.minutes_to_wait(request, credentials)
    logout(request)
    return throttle.locked_out_page(request, minutes)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not second_factor.has_second_factor(user):
        return redirect("accounts:second_factor_setup")
    credentials = {"username": user.email}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return _locked_out(request, credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor.code_matches(user, form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            return redirect(_next_url(request))
        # A wrong code is a failed login: the sixth in a row locks the account.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request, credentials)
        form.add_error("code", WRONG_CODE)
    context = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/second_factor_verify.html", context)


@login_required
def second_factor_overview(request):
    user = request.user
    context = {
        "enabled": second_factor.has_second_factor(user),
        "required": second_factor.required_for(user),
    }
    return render(request, "accounts/second_factor.html", context)


@login_required
@require_POST
def backup_codes_renew(request):
    try:
        codes = second_factor.backup_codes_renew(actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:second_factor")
    return render(request, "accounts/backup_codes.html", {"codes": codes, "next": ""})


@login_required
@require_POST
def second_factor_remove(request):
    try:
        second_factor.second_factor_remove(actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The second factor was turned off for your account."))
    return redirect("accounts:second_factor")


# --- an owner's requirement -----------------------------------------------------------------


@login_required
@require_POST
def organization_second_factor(request):
    membership = request.user.membership
    if membership is None:
        raise Http404
    if not membership.is_owner:
        raise PermissionDenied
    required = request.POST.get("required") == "1"
    second_factor.organization_require_second_factor(
        actor=request.user, organization=membership.organization, required=required
    )
    if required:
        messages.success(
            request, _("Every member now needs a second factor from their next page on.")
        )
    else:
        messages.success(request, _("A second factor is now optional for your members."))
    return redirect("accounts:organization")


# --- lockouts (ministry staff) --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def lockouts(request):
    if not request.user.is_ministry_staff:
        raise PermissionDenied
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttle.login_unlock(actor=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(who)s can log in again.")
            % {"who": form.cleaned_data["username"] or form.cleaned_data["ip_address"]},
        )
        return redirect("accounts:lockouts")
    context = {
        "accounts": throttle.locked_accounts(),
        "addresses": throttle.locked_addresses(),
        "form": form,
    }
    return render(request, "accounts/lockouts.html", context)
