"""Forms of the inspection pages. They only read and clean input; the services decide."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrasi.accounts.constants import INSPECTOR_GROUP

# Inspections happen in Indonesia; staff pick windows in Jakarta time whatever their browser says.
JAKARTA = ZoneInfo("Asia/Jakarta")


def jakarta_window(day, start, end):
    """The aware datetimes of a window given as a date and two local times."""
    return (
        datetime.combine(day, start, tzinfo=JAKARTA),
        datetime.combine(day, end, tzinfo=JAKARTA),
    )


def inspectors():
    return (
        get_user_model()
        .objects.filter(groups__name=INSPECTOR_GROUP, is_active=True)
        .order_by("full_name", "email")
    )


class InspectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name()


class WindowForm(forms.Form):
    """A date and a time window on that date, in Jakarta time."""

    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Times are Jakarta time (WIB)."),
    )
    start_time = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The window must end after it starts."))
        return cleaned

    def window(self):
        data = self.cleaned_data
        return jakarta_window(data["date"], data["start_time"], data["end_time"])

    @staticmethod
    def initial_for(window_start=None, window_end=None):
        """Initial values: an existing window, or tomorrow 09:00 to 12:00."""
        if window_start and window_end:
            start = timezone.localtime(window_start, JAKARTA)
            end = timezone.localtime(window_end, JAKARTA)
            return {"date": start.date(), "start_time": start.time(), "end_time": end.time()}
        tomorrow = timezone.localtime(timezone.now(), JAKARTA).date() + timedelta(days=1)
        return {"date": tomorrow, "start_time": "09:00", "end_time": "12:00"}


class ScheduleForm(WindowForm):
    inspector = InspectorChoiceField(label=_("Inspector"), queryset=None, empty_label=None)
    contact_name = forms.CharField(label=_("On-site contact"), max_length=200, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    field_order = ["inspector", "date", "start_time", "end_time", "contact_name", "contact_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors()


class RescheduleForm(WindowForm):
    inspector = InspectorChoiceField(label=_("Inspector"), queryset=None, empty_label=None)
    reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant and the inspector see it in their email."),
    )

    field_order = ["date", "start_time", "end_time", "inspector", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors()


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(
        label=_("Yes, cancel this inspection"),
        error_messages={"required": _("Tick the box to confirm the cancellation.")},
    )


class ResubmitForm(forms.Form):
    note = forms.CharField(
        label=_("What did you fix? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("We have carried out the corrective actions and are ready for a new inspection"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class EvidenceForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    requirement = forms.ChoiceField(label=_("Requirement"), required=False)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def __init__(self, *args, requirements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].choices = [("", _("General")), *requirements]


class ChecklistForm:
    """The inspector's draft: one result and note per requirement, interview rows, corrective
    actions. Every field is optional because a draft is saved after each change; the
    submission service checks completeness.

    Field names (the draft script stores them as they are): `result-<requirement>`,
    `note-<requirement>`, repeated `interview_role` / `interview_number` / `interview_notes`,
    `corrective_actions`.
    """

    def __init__(self, data, *, requirements, results):
        self.data = data
        self.requirements = list(requirements)  # [(value, label)]
        self.results = {value for value, _label in results}
        self.errors = []

    def is_valid(self):
        """Only what the request carries changes: a field left out (an unanswered radio, a
        partial post) keeps its saved value, a field sent empty clears it."""
        self.findings = {}
        for value, _label in self.requirements:
            finding = {}
            if f"result-{value}" in self.data:
                result = self.data[f"result-{value}"]
                if result and result not in self.results:
                    self.errors.append(_("Unknown result for a requirement."))
                    continue
                finding["result"] = result
            if f"note-{value}" in self.data:
                finding["note"] = self.data[f"note-{value}"].strip()
            if finding:
                self.findings[value] = finding
        self.interviews = self._interviews() if "interview_role" in self.data else None
        if self.interviews is None:
            self.interview_errors = []
        actions = self.data.get("corrective_actions")
        self.corrective_actions = actions.strip() if actions is not None else None
        return not self.errors

    def _interviews(self):
        """The complete rows. A row being typed (no role yet, no number) is not an error of
        the draft: it is reported in `interview_errors` and the interviews are left as they
        are on the server until it is complete (the device keeps the copy meanwhile)."""
        rows = zip(
            self.data.getlist("interview_role"),
            self.data.getlist("interview_number"),
            self.data.getlist("interview_notes"),
            strict=False,
        )
        self.interview_errors = []
        interviews = []
        for role, number, notes in rows:
            role, number, notes = role.strip(), number.strip(), notes.strip()
            if not (role or number or notes):
                continue  # the empty row kept for adding one
            try:
                count = int(number)
            except ValueError:
                count = 0
            if not role or count < 1:
                self.interview_errors.append(
                    _(
                        "Interview %(n)s is kept on this device until it has a role and a "
                        "number of people (at least 1)."
                    )
                    % {"n": len(interviews) + len(self.interview_errors) + 1}
                )
                continue
            interviews.append({"role": role, "number_interviewed": count, "notes": notes})
        return interviews


class CalendarFilterForm(forms.Form):
    week = forms.DateField(
        label=_("Week of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    inspector = InspectorChoiceField(
        label=_("Inspector"), queryset=None, required=False, empty_label=_("All inspectors")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors()

    def week_start(self):
        day = self.cleaned_data.get("week") if self.is_valid() else None
        day = day or timezone.localdate(timezone.now(), JAKARTA)
        return day - timedelta(days=day.weekday())
