from django import forms
from django.conf import settings
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    PasswordResetForm,
    SetPasswordMixin,
    UserChangeForm,
)
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from registrasi.accounts import selectors
from registrasi.accounts.constants import LegalForm, MembershipRole, Province
from registrasi.accounts.models import Organization, User
from registrasi.accounts.privacy import PRIVACY_NOTICE_VERSION
from registrasi.accounts.validators import validate_nib, validate_phone
from registrasi.upload_limits import upload_help
from registrasi.uploads import PDF_AND_IMAGE_TYPES
from registrasi.validators import AddressField, FreeTextField, NameField, NibField

CHOOSE = _("Choose…")


def _email_taken_error():
    return forms.ValidationError(
        _("An account with this email address already exists. Log in or reset your password."),
        code="email_taken",
    )


class FieldGroupsMixin:
    """Lets a template render a long form in titled sections on one column."""

    field_groups: tuple = ()

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.field_groups]


class SignupForm(FieldGroupsMixin, SetPasswordMixin, forms.Form):
    """One form for the person who signs up and the company they register."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    full_name = NameField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    password1, password2 = SetPasswordMixin.create_password_fields()

    legal_name = NameField(
        label=_("Legal name of the company"),
        max_length=255,
        help_text=_("As written in the deed of establishment, for example PT Layanan Prima."),
    )
    legal_form = forms.ChoiceField(
        label=_("Legal form"), choices=[("", CHOOSE), *LegalForm.choices]
    )
    nib = NibField(
        label=_("NIB (business identification number)"),
        help_text=_("13 digits, as issued by OSS."),
    )
    address = AddressField(label=_("Registered address"))
    province = forms.ChoiceField(label=_("Province"), choices=[("", CHOOSE), *Province.choices])
    foreign_owned = forms.BooleanField(
        label=_("The company has foreign ownership (PMA)"), required=False
    )
    contact_email = forms.EmailField(label=_("Contact email of the company"), max_length=254)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=24,
        help_text=_("For example +62 21 1234 5678."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    privacy_accepted = forms.BooleanField(
        label=_("I have read the privacy notice and agree to my data being processed as it says"),
        error_messages={"required": _("Accept the privacy notice to register.")},
    )

    field_groups = (
        (_("Your account"), ("email", "full_name", "language", "password1", "password2")),
        (
            _("Your company"),
            (
                "legal_name",
                "legal_form",
                "nib",
                "address",
                "province",
                "foreign_owned",
                "contact_email",
                "contact_phone",
            ),
        ),
        (_("Privacy"), ("privacy_accepted",)),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("language", translation.get_language() or "id")

    def clean_email(self):
        # Whether the address has an account is not said here: the email tells its owner.
        return self.cleaned_data["email"].strip().lower()

    def clean_nib(self):
        nib = self.cleaned_data["nib"].strip()
        validate_nib(nib)
        if Organization.objects.filter(nib=nib).exists():
            raise nib_taken_error()
        return nib

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        validate_phone(phone)
        return phone

    def clean_contact_email(self):
        return self.cleaned_data["contact_email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        # The similarity validator compares the password with the email and name given here.
        candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
        self.validate_password_for_user(candidate)
        return cleaned

    def registration_data(self):
        """Keyword arguments for services.organization_register."""
        skipped = ("password2", "privacy_accepted")
        data = {name: self.cleaned_data[name] for name in self.fields if name not in skipped}
        data["password"] = data.pop("password1")
        data["privacy_version"] = PRIVACY_NOTICE_VERSION
        return data


def nib_taken_error():
    return forms.ValidationError(
        _("An organization with this NIB is already registered."), code="nib_taken"
    )


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email address or the password is not correct."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email address")
        self.fields["username"].widget.input_type = "email"
        self.fields["username"].widget.attrs["autocomplete"] = "email"


class LocalizedPasswordResetForm(PasswordResetForm):
    """Writes the reset email in the language the account holder chose."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(context["user"].language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=MembershipRole.choices,
        initial=MembershipRole.MEMBER,
        help_text=_("Owners can invite and remove people and edit the organization's contacts."),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if selectors.members_of(self.organization).filter(user__email__iexact=email).exists():
            raise forms.ValidationError(
                _("This person is already a member of your organization."), code="member"
            )
        if selectors.pending_invitation_exists(self.organization, email):
            raise forms.ValidationError(
                _("This person was already invited. Revoke that invitation to send a new one."),
                code="invited",
            )
        return email


def privacy_accepted_field(refusal):
    return forms.BooleanField(
        label=_("I have read the privacy notice and agree to my data being processed as it says"),
        error_messages={"required": refusal},
    )


class PrivacyNoticeForm(forms.Form):
    """A person who has not accepted the current privacy notice accepts it (joining an
    organization through an invitation)."""

    privacy_accepted = privacy_accepted_field(_("Accept the privacy notice to join."))


class AcceptInvitationForm(SetPasswordMixin, forms.Form):
    """A new person joining through an invitation: the email address is the invitation's."""

    full_name = NameField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1, password2 = SetPasswordMixin.create_password_fields()
    privacy_accepted = privacy_accepted_field(_("Accept the privacy notice to join."))

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        self.validate_password_for_user(
            User(email=self.email, full_name=cleaned.get("full_name", ""))
        )
        return cleaned


class ProfileForm(forms.ModelForm):
    full_name = NameField(label=_("Full name"), max_length=200)

    class Meta:
        model = User
        fields = ["full_name", "language"]


class OrganizationContactForm(forms.ModelForm):
    """What an owner may change directly; registered details change through a change report."""

    address = AddressField(label=_("Registered address"))

    class Meta:
        model = Organization
        fields = ["contact_email", "contact_phone", "address"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def clean_contact_email(self):
        return self.cleaned_data["contact_email"].strip().lower()


# --- admin --------------------------------------------------------------------------------


class UserAdminCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "language")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise _email_taken_error()
        return email


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if taken.exists():
            raise _email_taken_error()
        return email


# --- NIB disputes ---------------------------------------------------------------------------


class DisputeForm(forms.Form):
    """A company whose NIB is claimed by someone else: who they are and their proof."""

    nib = NibField(
        label=_("NIB (business identification number)"),
        help_text=_("The NIB registered in the portal by someone else."),
    )
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    full_name = NameField(label=_("Your full name"), max_length=200)
    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    statement = FreeTextField(
        label=_("What happened"),
        help_text=_("Who you are in the company, and why the registration is not yours."),
    )
    deed = forms.FileField(
        label=_("Deed of establishment"),
        help_text=upload_help(PDF_AND_IMAGE_TYPES),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    nib_document = forms.FileField(
        label=_("NIB document (OSS)"),
        help_text=upload_help(PDF_AND_IMAGE_TYPES),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def clean_nib(self):
        nib = self.cleaned_data["nib"].strip()
        validate_nib(nib)
        return nib

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class DisputeDecisionForm(forms.Form):
    UPHOLD = "uphold"
    REJECT = "reject"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (UPHOLD, _("Uphold: move the organization to the claimant")),
            (REJECT, _("Reject: the organization stays as it is")),
        ],
        widget=forms.RadioSelect,
    )
    reason = FreeTextField(
        label=_("Reason"), help_text=_("Both sides read it in their email and it is audited.")
    )

    @property
    def upheld(self):
        return self.cleaned_data["decision"] == self.UPHOLD
