from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import models

from registrasi.audit.models import AuditEvent
from registrasi.audit.notes import render_note


def timeline_for(obj):
    """Every event recorded on `obj`, oldest first, with the actor loaded in the same query."""
    return AuditEvent.objects.for_object(obj).select_related("actor")


@dataclass(frozen=True)
class TimelineEntry:
    """One audit event as a timeline (or a certificate's history) shows it."""

    event: AuditEvent
    label: str  # what happened, in words
    from_state_label: str
    to_state_label: str
    detail: str = ""  # a line the app adds (a document and its version, an amount)
    note: str = ""  # registrasi.audit.notes: typed text or the system's sentence

    @property
    def created_at(self):
        return self.event.created_at

    @property
    def actor(self):
        return self.event.actor

    @property
    def moved(self) -> bool:
        """The event changed the state (the timeline then names the new one)."""
        return bool(self.event.to_state) and self.event.to_state != self.event.from_state


def _state_label(states, value):
    return states(value).label if value in states.values else value


def timeline_entries(
    events: Iterable[AuditEvent],
    *,
    labels: Mapping[str, str],
    states: type[models.TextChoices],
    describe: Callable[[AuditEvent], str] | None = None,
) -> list[TimelineEntry]:
    """`events` as a page shows them: the action's label from `labels` (else the action's
    name in words), the states' labels from `states`, the app's detail line from `describe`,
    and the note in the reader's language."""
    return [
        TimelineEntry(
            event=event,
            label=labels.get(event.action, event.action.replace("_", " ")),
            from_state_label=_state_label(states, event.from_state) if event.from_state else "",
            to_state_label=_state_label(states, event.to_state) if event.to_state else "",
            detail=describe(event) if describe else "",
            note=render_note(event),
        )
        for event in events
    ]
