from django import forms
from django.utils.translation import gettext_lazy as _

CHANNELS = [
    ("teller", _("Bank teller")),
    ("atm", _("ATM")),
    ("internet_banking", _("Internet or mobile banking")),
    ("edc", _("EDC")),
    ("ewallet", _("E-wallet")),
]


class SimulatorPayForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNELS)
    amount = forms.IntegerField(
        label=_("Amount paid (Rp)"),
        min_value=1,
        max_value=10**14,
        help_text=_("A bank takes exactly the billed amount; change it only to test."),
    )


class OfficePaymentForm(forms.Form):
    ntpn = forms.CharField(label=_("NTPN"), max_length=16, min_length=16)
    ntb = forms.CharField(label=_("NTB"), max_length=32, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNELS)
    paid_at = forms.DateTimeField(
        label=_("Paid at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    receipt_scan = forms.FileField(label=_("Scan of the receipt (PDF)"))


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("apply", _("Apply to the invoice")), ("refund", _("Mark for refund"))],
    )
    note = forms.CharField(
        label=_("Why"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SettlementForm(forms.Form):
    file = forms.FileField(label=_("Settlement file (CSV)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload
