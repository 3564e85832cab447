"""Forms for the certificate pages. They only validate input; services do the writing.

Each sanction form is shown twice: first to fill in, then (valid) as a confirmation page
carrying the same values in hidden inputs plus `confirm=1`. Bad input never reaches a service.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.forms import RupiahField
from certificates.numbers import normalize
from registrasi.accounts.constants import Province
from registrasi.upload_limits import upload_help
from registrasi.validators import FreeTextField

MAX_PDF_SIZE = 10 * 1024 * 1024
MAX_NUMBER_LENGTH = 64
# Fines above this are certainly a typo (one trillion Rupiah).
MAX_FINE = 1_000_000_000_000

PROVINCE_CHOICES = [("", _("All provinces"))] + list(Province.choices)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _reason_field(label=None):
    return FreeTextField(
        label=label or _("Reason"),
        max_length=2000,
        help_text=_("The organization sees this reason and it is kept in the history."),
    )


# Public verification -------------------------------------------------------------------


class VerifyNumberForm(forms.Form):
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=MAX_NUMBER_LENGTH,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
        help_text=_("As printed on the certificate, for example KOMINFO-CC-2026-000123-38."),
    )

    def clean_number(self):
        number = " ".join(self.cleaned_data["number"].split())
        # The canonical spelling when it has the shape of a number (check digits are judged
        # on the result page, which says "mistyped" rather than refusing here).
        canonical = normalize(number)
        if canonical:
            return canonical
        if not number or "/" in number or "\\" in number:
            raise ValidationError(_("Enter the number as printed on the certificate."))
        return number


class VerifyPdfForm(forms.Form):
    file = forms.FileField(
        label=_("Certificate PDF"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text=upload_help({"pdf": "application/pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".pdf"):
            raise ValidationError(_("Only PDF files can be checked: choose a file ending in .pdf."))
        if upload.size > MAX_PDF_SIZE:
            raise ValidationError(_("The file is larger than 10 MB; a certificate is far smaller."))
        if upload.size == 0:
            raise ValidationError(_("The file is empty."))
        return upload


# Lists ---------------------------------------------------------------------------------


class RegistryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name, number or NIB"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    province = forms.ChoiceField(label=_("Province"), choices=PROVINCE_CHOICES, required=False)
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, state_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *state_choices]


class StaffFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    expiring_within_days = forms.IntegerField(
        label=_("Expiring within (days)"), required=False, min_value=0, max_value=3650
    )
    province = forms.ChoiceField(label=_("Province"), choices=PROVINCE_CHOICES, required=False)
    pdf_failed = forms.BooleanField(label=_("PDF failed"), required=False)

    def __init__(self, *args, state_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *state_choices]


# Sanctions (staff) ---------------------------------------------------------------------


class ReasonForm(forms.Form):
    """Reinstatement: a reason is all it needs."""

    reason = _reason_field()

    def __init__(self, *args, certificate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.certificate = certificate

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 5:
            raise ValidationError(_("Give the reason in a few words."))
        return reason


class RevokeForm(ReasonForm):
    understood = forms.BooleanField(
        label=_("I understand that a revocation is final and cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that you understand.")},
    )


class SuspendForm(ReasonForm):
    """A suspension takes effect now; its start may be dated back (to the day of the breach),
    never ahead. It lasts until a date or until reinstated."""

    field_order = ["starts_on", "until", "reason"]
    starts_on = forms.DateField(
        label=_("Suspended from"),
        widget=DateInput(),
        help_text=_("Today, or an earlier day the suspension counts from."),
    )
    until = forms.DateField(
        label=_("Suspended until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to suspend until reinstated."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate()

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        if starts_on > timezone.localdate():
            raise ValidationError(
                _("A suspension takes effect now: its start cannot be in the future.")
            )
        if self.certificate is not None and starts_on < self.certificate.issued_on:
            raise ValidationError(_("A suspension cannot start before the certificate was issued."))
        return starts_on

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until is not None and until <= timezone.localdate():
            raise ValidationError(_("The end of the suspension must be after today."))
        return until


class FineForm(ReasonForm):
    field_order = ["amount", "due_date", "reason"]
    amount = RupiahField(
        label=_("Amount (Rp)"),
        min_value=1,
        max_value=MAX_FINE,
        help_text=_("In whole Rupiah, for example 25.000.000."),
        error_messages={"min_value": _("The amount must be more than Rp 0.")},
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())

    def clean_due_date(self):
        due_date = self.cleaned_data["due_date"]
        if due_date <= timezone.localdate():
            raise ValidationError(_("The due date must be after today."))
        return due_date
