"""Forms for the application pages. They only validate input; services do the writing."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applications import walkin
from applications.constants import (
    QUEUE_TO_REVIEW,
    ApplicationKind,
    ApplicationState,
    Direction,
    DocumentType,
    Sourcing,
)
from registrasi.accounts.constants import LegalForm, Province
from registrasi.accounts.validators import validate_nib
from registrasi.upload_limits import upload_help
from registrasi.uploads import PDF_AND_IMAGE_TYPES
from registrasi.validators import AddressField, FreeTextField, NameField, NibField

PROVINCE_CHOICES = [("", _("Choose a province"))] + list(Province.choices)
MAX_SEATS = 100000

# Above this a payment is certainly a typo (one trillion Rupiah); it also fits the column.
MAX_AMOUNT = 1_000_000_000_000


class RupiahField(forms.IntegerField):
    """A whole number of Rupiah; accepts the way people type it: "Rp 1.500.000"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"(?i)^\s*rp\.?\s*", "", value)
            value = re.sub(r"[.\s]", "", value)
            # A trailing ",00" (cents written the Indonesian way) carries no money.
            value = re.sub(r",0+$", "", value)
        return super().to_python(value)


class CompanyForm(forms.Form):
    company_legal_name = NameField(label=_("Legal name"), max_length=255)
    company_address = AddressField(label=_("Registered address"))
    company_province = forms.ChoiceField(label=_("Province"), choices=PROVINCE_CHOICES)


class OperationForm(forms.Form):
    agent_seats = forms.IntegerField(
        label=_("Agent seats"),
        min_value=1,
        max_value=MAX_SEATS,
        help_text=_("The number of agent workstations across all sites."),
    )
    direction = forms.ChoiceField(
        label=_("Call direction"), choices=Direction.choices, widget=forms.RadioSelect
    )
    sourcing = forms.ChoiceField(
        label=_("Operation"), choices=Sourcing.choices, widget=forms.RadioSelect
    )
    foreign_owned = forms.BooleanField(label=_("The company has foreign ownership"), required=False)


class SiteForm(forms.Form):
    address = AddressField(label=_("Site address"), widget=forms.Textarea(attrs={"rows": 2}))
    province = forms.ChoiceField(label=_("Province"), choices=PROVINCE_CHOICES)
    agent_seats = forms.IntegerField(
        label=_("Agent seats at this site"), min_value=0, max_value=MAX_SEATS
    )


class BaseSiteFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if forms.formsets.DELETION_FIELD_NAME in form.fields:
            form.fields[forms.formsets.DELETION_FIELD_NAME].label = _("Remove this site")

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]
        if not kept:
            raise ValidationError(_("Add at least one site the call center operates from."))

    def sites(self):
        """The rows to keep, as the dicts application_set_sites takes."""
        return [
            {
                "address": f.cleaned_data["address"],
                "province": f.cleaned_data["province"],
                "agent_seats": f.cleaned_data["agent_seats"],
            }
            for f in self.forms
            if f.has_changed() and f.cleaned_data and not self._should_delete_form(f)
        ]


SiteFormSet = forms.formset_factory(
    SiteForm,
    formset=BaseSiteFormSet,
    extra=1,
    can_delete=True,
    max_num=50,
    absolute_max=50,
    validate_max=True,
)


class DocumentUploadForm(forms.Form):
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=upload_help(PDF_AND_IMAGE_TYPES),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class ReasonForm(forms.Form):
    reason = FreeTextField(label=_("Reason"))


class OptionalReasonForm(forms.Form):
    reason = FreeTextField(label=_("Reason (optional)"), required=False)


class DocumentReviewForm(forms.Form):
    ACCEPT = "accept"
    REJECT = "reject"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ACCEPT, _("Accept")), (REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = FreeTextField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when rejecting: the applicant sees it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why the document is rejected."))
        return data

    @property
    def accepted(self):
        return self.cleaned_data["decision"] == self.ACCEPT


QUEUE_STATES = (ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW)


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Submitted, under review or with documents to review"))]
        + [(s.value, s.label) for s in QUEUE_STATES]
        + [(QUEUE_TO_REVIEW, _("Documents to review"))]
        + [("all", _("Every submitted application"))],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds"))] + ApplicationKind.choices
    )
    province = forms.ChoiceField(
        label=_("Province"),
        required=False,
        choices=[("", _("All provinces"))] + list(Province.choices),
    )
    min_age_days = forms.IntegerField(
        label=_("Waiting at least (days)"), required=False, min_value=0, max_value=36500
    )
    max_age_days = forms.IntegerField(
        label=_("Waiting at most (days)"), required=False, min_value=0, max_value=36500
    )

    def filters(self):
        """The filters for selectors.staff_queue, without the empty ones."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class WalkInForm(forms.Form):
    """A company at the ministry's office: its NIB and, when the NIB is not registered yet,
    what registering the organization needs. A known NIB needs nothing else: the application
    is added to that organization."""

    nib = NibField(
        label=_("NIB (business identification number)"),
        help_text=_("13 digits, as issued by OSS. A registered NIB adds the application to it."),
    )
    legal_name = NameField(label=_("Legal name of the company"), max_length=255, required=False)
    legal_form = forms.ChoiceField(
        label=_("Legal form"), choices=[("", _("Choose"))] + list(LegalForm.choices), required=False
    )
    address = AddressField(label=_("Registered address"), required=False)
    province = forms.ChoiceField(label=_("Province"), choices=PROVINCE_CHOICES, required=False)
    foreign_owned = forms.BooleanField(
        label=_("The company has foreign ownership (PMA)"), required=False
    )
    contact_email = forms.EmailField(
        label=_("Contact person's email"),
        max_length=254,
        required=False,
        help_text=_("They are invited to become the organization's owner and follow online."),
    )
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=24, required=False)

    def clean_nib(self):
        nib = self.cleaned_data["nib"].strip()
        validate_nib(nib)
        return nib

    def company(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in walkin.COMPANY_KEYS}
