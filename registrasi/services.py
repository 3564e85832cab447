"""What every service shares: the errors views show, and one way to run an FSM transition.

A transition runs like this and no other way: lock the row (`select_for_update`), check the
state the person saw is still the state in the database, check the transition's permission
and conditions, call it, save, write the audit event, all inside one transaction.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from registrasi.audit.services import audit_record


class ServiceError(Exception):
    """A refusal with a message for the person who asked (translated, safe to show)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotAllowed(ServiceError):
    """The actor may not do this, or not from the object's current state."""


class StaleState(ServiceError):
    """Someone else changed the object since the page was loaded."""

    def __init__(self, message, current_state=None):
        super().__init__(message)
        self.current_state = current_state


class AlreadyDone(StaleState, NotAllowed):
    """The person asked again for what they themselves already did (a retried request after
    an error page, a second tab): it happened, at `done_at`. Both stale and not allowed, so
    every view that handles either shows its message."""

    def __init__(self, message, current_state=None, done_at=None):
        super().__init__(message, current_state)
        self.done_at = done_at


def lock(obj):
    """Re-read `obj` with a row lock for the rest of the transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock() must be called inside transaction.atomic().")
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def run_transition(
    *,
    obj,
    name: str,
    actor,
    expected_state: str | None = None,
    note: str = "",
    data: dict | None = None,
    field: str = "state",
    update_fields: list[str] | None = None,
    before_save=None,
    **kwargs,
):
    """Run transition `name` on a locked copy of `obj` and return the saved copy.

    `expected_state` is the state the actor saw; when the row has moved on since, StaleState
    says what it is now (two staff members, a double click). Call inside transaction.atomic().
    `before_save(locked)` may set other fields (list them in `update_fields`).
    """
    locked = lock(obj)
    current = getattr(locked, field)
    if expected_state is not None and current != expected_state:
        _refuse_if_already_done(locked, name, actor, field)
        raise StaleState(
            _("This was changed by someone else in the meantime; it is now “%(state)s”.")
            % {"state": _display_state(locked, field)},
            current_state=current,
        )
    method = getattr(locked, name)
    if not can_proceed(method, check_conditions=False):
        _refuse_if_already_done(locked, name, actor, field)
        raise NotAllowed(
            _("This action is not possible while the state is “%(state)s”.")
            % {"state": _display_state(locked, field)}
        )
    if not has_transition_perm(method, actor):
        raise NotAllowed(_("You are not allowed to do this."))
    if not can_proceed(method):
        raise NotAllowed(_("The conditions for this action are not met yet."))
    method(**kwargs)
    if before_save is not None:
        before_save(locked)
    fields = [field, *(update_fields or [])]
    if any(f.name == "updated_at" for f in locked._meta.concrete_fields):
        fields.append("updated_at")
    locked.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=name,
        obj=locked,
        from_state=current,
        to_state=getattr(locked, field),
        note=note,
        data=data,
    )
    return locked


def _refuse_if_already_done(locked, name, actor, field):
    """When the object's last change is this very action by this very person, say so
    (with the time) instead of blaming someone else."""
    from django.utils import timezone
    from django.utils.formats import date_format

    from registrasi.audit.models import AuditEvent

    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    last = AuditEvent.objects.for_object(locked).filter(from_state__gt="").order_by("-id").first()
    if last is None or last.action != name or last.actor_id != actor.pk:
        return
    when = date_format(timezone.localtime(last.created_at), "DATETIME_FORMAT")
    raise AlreadyDone(
        _("You already did this, at %(time)s; it is now “%(state)s”. Nothing was changed now.")
        % {"time": when, "state": _display_state(locked, field)},
        current_state=getattr(locked, field),
        done_at=last.created_at,
    )


def _display_state(obj, field):
    getter = getattr(obj, f"get_{field}_display", None)
    return getter() if getter else getattr(obj, field)
