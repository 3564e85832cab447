"""What every service shares: the errors views show, and one way to run an FSM transition.

A transition runs like this and no other way: lock the row (`select_for_update`), check the
state the person saw is still the state in the database, check the transition's permission
and conditions, call it, save, write the audit event, all inside one transaction.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
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


def refuse_unless_perm(actor, perm: str) -> None:
    """NotAllowed unless `actor` is signed in and holds permission `perm`."""
    if not (actor is not None and actor.is_authenticated and actor.has_perm(perm)):
        raise NotAllowed(_("You are not allowed to do this."))


def require_text(value, *, field: str = "reason", message=None) -> str:
    """The stripped text, or a ValidationError on `field` when it is empty."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message or _("Give a reason.")}, code="required")
    return value


def stale_message(obj, field: str = "state") -> str:
    """What a person reads when someone else changed `obj` since their page was loaded."""
    return _("This was changed by someone else in the meantime; it is now “%(state)s”.") % {
        "state": _display_state(obj, field)
    }


def refuse_if_stale(obj, expected_state: str | None, field: str = "state") -> None:
    """StaleState when the person saw another state than the one the row holds now."""
    current = getattr(obj, field)
    if expected_state is not None and current != expected_state:
        raise StaleState(stale_message(obj, field), current_state=current)


def notify(event) -> None:
    """Email about audit `event` once this transaction commits, when the app owning its
    object declares an email for the action (its notifications module); else nothing."""
    from registrasi import notifications, outbox

    if event is not None and notifications.is_emailed(event):
        outbox.enqueue(notifications.SEND_TASK, event.pk)


def model_update(*, instance, data: dict, fields: list[str] | None = None) -> tuple[object, dict]:
    """Set the `fields` of `instance` (default: every key of `data`) whose value in `data`
    differs, and save only those (with `updated_at` when the model has one). Returns the
    instance and {field: (old, new)} for what changed: empty when nothing did (nothing saved).
    A key of `fields` missing from `data` is left as it is."""
    changes = {}
    for name in data if fields is None else fields:
        if name in data and getattr(instance, name) != data[name]:
            changes[name] = (getattr(instance, name), data[name])
            setattr(instance, name, data[name])
    if changes:
        update_fields = list(changes)
        if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
            update_fields.append("updated_at")
        instance.save(update_fields=update_fields)
    return instance, changes


@dataclass(frozen=True)
class Transitioned:
    """What run_transition hands back: the saved object and the audit event it wrote."""

    obj: object
    event: object


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
) -> Transitioned:
    """Run transition `name` on a locked copy of `obj`; return the saved copy and its event.

    `expected_state` is the state the actor saw; when the row has moved on since, StaleState
    says what it is now (two staff members, a double click). Call inside transaction.atomic().
    `before_save(locked)` may set other fields, listed in `update_fields`: a field it changes
    that is not listed is refused (RuntimeError) rather than silently not saved.
    """
    locked = lock(obj)
    current = getattr(locked, field)
    if expected_state is not None and current != expected_state:
        _refuse_if_already_done(locked, name, actor, field)
        raise StaleState(stale_message(locked, field), current_state=current)
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
    fields = [field, *(update_fields or []), *_stamp_change(locked, field)]
    if before_save is not None:
        _run_before_save(locked, before_save, fields)
    if any(f.name == "updated_at" for f in locked._meta.concrete_fields):
        fields.append("updated_at")
    locked.save(update_fields=fields)
    event = audit_record(
        actor=actor,
        action=name,
        obj=locked,
        from_state=current,
        to_state=getattr(locked, field),
        note=note,
        data=data,
    )
    return Transitioned(obj=locked, event=event)


def _stamp_change(locked, field: str) -> list[str]:
    """A model with a `<field>_changed_at` column (Application, Certificate) records when the
    transition happened; the fields to save for it."""
    stamp = f"{field}_changed_at"
    if not any(f.name == stamp for f in locked._meta.concrete_fields):
        return []
    setattr(locked, stamp, timezone.now())
    return [stamp]


def _run_before_save(locked, before_save, fields: list[str]) -> None:
    """Call `before_save(locked)`; refuse when it changed a field that will not be saved."""
    concrete = [f for f in locked._meta.concrete_fields if f.attname not in fields]
    concrete = [f for f in concrete if f.name not in fields]
    before = {f.attname: getattr(locked, f.attname) for f in concrete}
    before_save(locked)
    changed = sorted(name for name, value in before.items() if getattr(locked, name) != value)
    if changed:
        raise RuntimeError(f"before_save changed {changed} but update_fields does not list them")


def _refuse_if_already_done(locked, name, actor, field):
    """When the object's last change is this very action by this very person, say so
    (with the time) instead of blaming someone else."""
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
