from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from registrasi.accounts import second_factor, selectors, services, throttle
from registrasi.accounts.backends import normalize_login
from registrasi.accounts.forms import (
    AcceptInvitationForm,
    EmailAuthenticationForm,
    InvitationForm,
    LocalizedPasswordResetForm,
    OrganizationContactForm,
    PrivacyNoticeForm,
    ProfileForm,
    SignupForm,
)
from registrasi.accounts.models import Invitation
from registrasi.accounts.privacy import PRIVACY_NOTICE_VERSION, has_accepted_notice
from registrasi.audit.middleware import client_ip
from registrasi.ratelimits import rate_limit
from registrasi.services import ServiceError

BACKEND = "registrasi.accounts.backends.EmailBackend"


def _client_ip(group, request):
    # Behind the reverse proxy REMOTE_ADDR is the proxy: limit by the client's address instead.
    return client_ip(request) or ""


def _use_language(response, language):
    """Make `language` the interface language from the next request on (LocaleMiddleware)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _own_membership(request):
    """The requesting person's membership; people without an organization get a 404."""
    membership = request.user.membership
    if membership is None:
        raise Http404
    return membership


def _require_owner(membership):
    if not membership.is_owner:
        raise PermissionDenied


# --- sign-up and login -----------------------------------------------------------------------


@rate_limit(key=_client_ip, rate="20/h", method="POST")
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        messages.info(request, _("You already have an account."))
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.signup_request(**form.registration_data())
        # The same page whether or not the address has an account: the email says which.
        return render(request, "accounts/signup_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/signup.html", {"form": form})


def signup_confirm(request, token):
    """The emailed link. Opening it shows a button (mail scanners follow links, they do not
    press buttons); pressing it creates the account and the organization and logs in."""
    try:
        pending = services.signup_pending(token)
    except services.SignupLinkInvalid as exc:
        return render(request, "accounts/signup_invalid.html", {"message": exc.message}, status=404)
    if request.method != "POST":
        return render(request, "accounts/signup_confirm.html", {"pending": pending})
    try:
        user = services.signup_confirm(token=token)
    except (services.SignupLinkInvalid, services.RegistrationConflict) as exc:
        return render(request, "accounts/signup_invalid.html", {"message": exc.message}, status=409)
    login(request, user, backend=BACKEND)
    translation.activate(user.language)
    messages.success(request, _("Welcome! Your organization is registered and you are its owner."))
    return _use_language(redirect("accounts:organization"), user.language)


class LoginView(auth_views.LoginView):
    """Failures are counted and locked out by django-axes (registrasi/accounts/throttle.py)."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        owes_code = self.request.session.get(second_factor.PENDING_SESSION_KEY)
        if not owes_code and not second_factor.required_for(user):
            # Logged in completely: this account's failures start again from zero.
            AxesProxyHandler.reset_attempts(username=normalize_login(user.email))
        return _use_language(response, user.language)


# --- password reset and change ---------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LocalizedPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/emails/password_reset.txt"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        # The link names SITE_URL like every other email, not the request's Host and scheme.
        return {"site_url": settings.SITE_URL}

    def post(self, request, *args, **kwargs):
        # Limited per normalised email and per client address (429 with the time to wait).
        return throttle.password_reset_refusal(request) or super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")
    success_message = gettext_lazy("Your password was changed.")


# --- profile and organization ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.user_update_profile(actor=request.user, **form.cleaned_data)
        # Activate now so the confirmation is already in the chosen language.
        translation.activate(user.language)
        messages.success(request, _("Your profile was saved."))
        return _use_language(redirect("accounts:profile"), user.language)
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def organization(request):
    membership = _own_membership(request)
    org = membership.organization
    form = None
    if membership.is_owner:
        form = OrganizationContactForm(request.POST or None, instance=org)
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        services.organization_update_contact(
            organization=org, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("The contact details were saved."))
        return redirect("accounts:organization")
    if form is not None and form.is_bound:
        # A failed save left the instance half-changed; show the stored values beside the form.
        org.refresh_from_db()
    return render(
        request,
        "accounts/organization.html",
        {"organization": org, "membership": membership, "form": form},
    )


# --- members and invitations -----------------------------------------------------------------


@login_required
def members(request):
    membership = _own_membership(request)
    org = membership.organization
    context = {
        "organization": org,
        "membership": membership,
        "members": selectors.members_of(org),
        "invitations": selectors.open_invitations_of(org),
        "form": InvitationForm(organization=org) if membership.is_owner else None,
    }
    return render(request, "accounts/members.html", context)


@login_required
@rate_limit(key="user", rate="50/h", method="POST")
@require_http_methods(["GET", "POST"])
def invite(request):
    membership = _own_membership(request)
    _require_owner(membership)
    org = membership.organization
    form = InvitationForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                actor=request.user, organization=org, **form.cleaned_data
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("accounts:members")
    context = {"form": form, "organization": org, "valid_days": settings.INVITATION_VALID_DAYS}
    return render(request, "accounts/invite.html", context)


def _change_members(request, action, success):
    """Run an owner's service call; its refusal or `success` as a message; back to members."""
    try:
        action()
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("accounts:members")


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation.objects.visible_to(request.user), pk=pk)
    _require_owner(request.user.membership)
    if request.method == "POST":
        return _change_members(
            request,
            lambda: services.invitation_revoke(invitation=invitation, actor=request.user),
            _("The invitation for %(email)s was revoked.") % {"email": invitation.email},
        )
    return render(request, "accounts/invitation_revoke.html", {"invitation": invitation})


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request, pk):
    target = get_object_or_404(selectors.memberships_visible_to(request.user), pk=pk)
    _require_owner(request.user.membership)
    if request.method == "POST":
        return _change_members(
            request,
            lambda: services.membership_remove(membership=target, actor=request.user),
            _("%(name)s was removed from the organization.")
            % {"name": target.user.get_full_name()},
        )
    return render(request, "accounts/membership_remove.html", {"target": target})


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    invitation = selectors.invitation_for_token(token)
    problem = _invitation_problem(invitation)
    if problem:
        status = 404 if invitation is None else 410
        return render(
            request, "accounts/invitation_invalid.html", {"problem": problem}, status=status
        )
    if request.user.is_authenticated:
        return _accept_as_user(request, token, invitation)
    return _accept_as_new_user(request, token, invitation)


def _invitation_problem(invitation):
    if invitation is None:
        return _("This invitation link is not valid. Check that you copied the whole link.")
    if invitation.accepted_at is not None:
        return _("This invitation has already been used. Log in with the account you created.")
    if invitation.revoked_at is not None:
        return _("This invitation was withdrawn by the organization.")
    if not invitation.is_usable:
        return _("This invitation has expired. Ask the organization's owner to invite you again.")
    return ""


def _accept_as_user(request, token, invitation):
    refusal = ""
    if not selectors.invited_address_matches(invitation, request.user):
        refusal = _(
            "This invitation was sent to another email address. Log out and log in with the "
            "account for the invited address, or ask the owner to invite this address."
        )
    elif request.user.membership is not None:
        refusal = _("You already belong to an organization, so you cannot join another one.")
    elif request.user.is_ministry_staff or request.user.is_inspector:
        refusal = _("Ministry accounts cannot join a company.")
    privacy_form = None
    if not has_accepted_notice(request.user):
        privacy_form = PrivacyNoticeForm(request.POST if request.method == "POST" else None)
    accepted = privacy_form is None or privacy_form.is_valid()
    if request.method == "POST" and not refusal and accepted:
        try:
            services.invitation_accept_as_user(
                token=token,
                actor=request.user,
                privacy_version=PRIVACY_NOTICE_VERSION if privacy_form is not None else None,
            )
        except ServiceError as exc:
            refusal = exc.message
        else:
            messages.success(
                request,
                _("You joined %(organization)s.") % {"organization": invitation.organization},
            )
            return redirect("home")
    context = {"invitation": invitation, "refusal": refusal, "privacy_form": privacy_form}
    return render(request, "accounts/accept_invitation.html", context)


def _accept_as_new_user(request, token, invitation):
    has_account = selectors.account_exists(invitation.email)
    form = (
        None if has_account else AcceptInvitationForm(request.POST or None, email=invitation.email)
    )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            user = services.invitation_accept_as_new_user(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
                privacy_version=PRIVACY_NOTICE_VERSION,
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend=BACKEND)
            messages.success(
                request,
                _("Welcome! You joined %(organization)s.")
                % {"organization": invitation.organization},
            )
            return redirect("home")
    login_url = f"{reverse('accounts:login')}?{urlencode({'next': request.path})}"
    context = {"invitation": invitation, "form": form, "login_url": login_url}
    return render(request, "accounts/accept_invitation.html", context)
