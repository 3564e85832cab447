"""Forms of the inspection pages. They only read and clean input; the services decide."""

from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from inspections.constants import EVIDENCE_CONTENT_TYPES
from inspections.models import Inspection, Interview
from inspections.selectors import active_inspectors
from registrasi.accounts.validators import validate_phone
from registrasi.dates import JAKARTA, today
from registrasi.upload_limits import upload_help
from registrasi.validators import (
    LONG_TEXT_MAX_LENGTH,
    FreeTextField,
    NameField,
    clean_free_text,
    clean_name,
)


def _column_length(model, name: str) -> int:
    """The max_length of a model's text column: the form never says it a second time."""
    return model._meta.get_field(name).max_length


INTERVIEW_ROLE_MAX_LENGTH = _column_length(Interview, "role")
# A sanity limit on the people interviewed in one role (the column would take far more).
MAX_INTERVIEWED = 10000

# Staff pick windows in Jakarta time whatever their browser says (registrasi.dates.JAKARTA).


def jakarta_window(day, start, end):
    """The aware datetimes of a window given as a date and two local times."""
    return (
        datetime.combine(day, start, tzinfo=JAKARTA),
        datetime.combine(day, end, tzinfo=JAKARTA),
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
        tomorrow = today() + timedelta(days=1)
        return {"date": tomorrow, "start_time": "09:00", "end_time": "12:00"}


class ScheduleForm(WindowForm):
    inspector = InspectorChoiceField(label=_("Inspector"), queryset=None, empty_label=None)
    contact_name = NameField(
        label=_("On-site contact"),
        max_length=_column_length(Inspection, "contact_name"),
        required=False,
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=_column_length(Inspection, "contact_phone"),
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    # The window first: the inspectors are listed for it (assignment help).
    field_order = ["date", "start_time", "end_time", "inspector", "contact_name", "contact_phone"]

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        field = self.fields["inspector"]
        field.queryset = active_inspectors()
        if self.candidates:
            _order_by_candidates(field, self.candidates)


def _order_by_candidates(field, candidates):
    """List the inspectors in the candidates' order (covering and free first), each label
    saying why (inspections.selectors.assignment_candidates)."""
    order = [c.inspector.pk for c in candidates]
    labels = {c.inspector.pk: candidate_label(c) for c in candidates}
    field.queryset = field.queryset.order_by(
        Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(order)], default=Value(len(order)))
    )
    field.label_from_instance = lambda obj: labels.get(obj.pk, obj.get_full_name())


def candidate_label(candidate):
    parts = [
        _("covers the province") if candidate.covers else _("another province"),
        _("free") if candidate.free else _("busy in this window"),
        ngettext("%(n)s inspection that week", "%(n)s inspections that week", candidate.week_load)
        % {"n": candidate.week_load},
    ]
    return f"{candidate.inspector.get_full_name()} — " + " · ".join(str(p) for p in parts)


class RescheduleForm(WindowForm):
    inspector = InspectorChoiceField(label=_("Inspector"), queryset=None, empty_label=None)
    reason = FreeTextField(
        label=_("Reason for the change"),
        help_text=_("The applicant and the inspector see it in their email."),
    )

    field_order = ["date", "start_time", "end_time", "inspector", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = active_inspectors()


class CancelForm(forms.Form):
    reason = FreeTextField(label=_("Reason"))
    confirm = forms.BooleanField(
        label=_("Yes, cancel this inspection"),
        error_messages={"required": _("Tick the box to confirm the cancellation.")},
    )


class ResubmitForm(forms.Form):
    note = FreeTextField(label=_("What did you fix? (optional)"), required=False)
    confirm = forms.BooleanField(
        label=_("We have carried out the corrective actions and are ready for a new inspection"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class EvidenceForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        help_text=upload_help(EVIDENCE_CONTENT_TYPES),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    requirement = forms.ChoiceField(label=_("Requirement"), required=False)
    caption = NameField(label=_("Caption"), max_length=200, required=False)

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

    The fields do not pass through Django form fields, so each value goes through the shared
    rules here (registrasi.validators): a length limit, no NUL, invisible characters dropped
    from free text and refused in the interview role.
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
                note = self._checked(clean_free_text, self.data[f"note-{value}"], label=_label)
                if note is None:
                    continue
                finding["note"] = note
            if finding:
                self.findings[value] = finding
        self.interview_errors = []
        self.interviews = self._interviews() if "interview_role" in self.data else None
        actions = self.data.get("corrective_actions")
        self.corrective_actions = None
        if actions is not None:
            self.corrective_actions = self._checked(
                clean_free_text,
                actions,
                max_length=LONG_TEXT_MAX_LENGTH,
                label=_("Corrective actions"),
            )
        return not self.errors

    def _checked(self, rule, value, **kwargs):
        """The cleaned value, or None with the refusal added to `errors`."""
        try:
            return rule(value, **kwargs)
        except ValidationError as exc:
            self.errors.extend(exc.messages)
            return None

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
        interviews = []
        for raw_role, raw_number, raw_notes in rows:
            role = self._checked(
                clean_name,
                raw_role,
                max_length=INTERVIEW_ROLE_MAX_LENGTH,
                label=_("Interview role"),
            )
            notes = self._checked(clean_free_text, raw_notes, label=_("Interview notes"))
            if role is None or notes is None:
                return None
            number = raw_number.strip()
            if not (role or number or notes):
                continue  # the empty row kept for adding one
            # ASCII digits only: int() would also read other scripts' digits.
            count = int(number) if number.isascii() and number.isdigit() else 0
            if count > MAX_INTERVIEWED:
                self.errors.append(_("The number of people interviewed is too large."))
                return None
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
        self.fields["inspector"].queryset = active_inspectors()

    def week_start(self):
        day = self.cleaned_data.get("week") if self.is_valid() else None
        day = day or today()
        return day - timedelta(days=day.weekday())
