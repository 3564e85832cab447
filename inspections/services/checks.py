"""The checks every recording service shares: the actor is the assigned inspector, the
inspection can still change, its planned day has come; and storing a file with its row."""

from django.core.files import File
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from inspections.constants import ACTIVE_STATES, SUBMITTED_STATES
from inspections.models import Inspection, is_assigned_inspector
from registrasi.accounts.models import User
from registrasi.services import NotAllowed


def refuse_unless_assigned(inspection: Inspection, actor: User) -> None:
    if not is_assigned_inspector(inspection, actor):
        raise NotAllowed(_("Only the inspector assigned to this inspection can do this."))


def refuse_unless_editable(inspection: Inspection) -> None:
    """Findings lock when the inspection is submitted (or cancelled): say so."""
    if inspection.state in SUBMITTED_STATES:
        raise NotAllowed(
            _(
                "This inspection was submitted on %(date)s with the outcome “%(state)s”; "
                "its findings can no longer change."
            )
            % {
                "date": date_format(timezone.localtime(inspection.submitted_at), "DATETIME_FORMAT"),
                "state": inspection.get_state_display(),
            }
        )
    if inspection.state not in ACTIVE_STATES:
        raise NotAllowed(
            _("This inspection is “%(state)s”; nothing can be recorded on it.")
            % {"state": inspection.get_state_display()}
        )


def refuse_until_open(inspection: Inspection) -> None:
    """Findings open on the planned day (Jakarta date): nothing before it."""
    if not inspection.is_open():
        raise NotAllowed(
            _(
                "Findings for this inspection open on %(date)s, the planned day; nothing can be "
                "recorded or submitted before then. If the visit takes place today, ask the "
                "ministry desk to reschedule the inspection to today."
            )
            % {"date": date_format(inspection.opens_on, "DATE_FORMAT")}
        )


def save_with_file(record: models.Model, name: str, content: File) -> None:
    """Store the file, then the row. A failed insert must not leave an orphan file behind."""
    record.file.save(name, content, save=False)
    try:
        record.save()
    except Exception:
        record.file.delete(save=False)
        raise
