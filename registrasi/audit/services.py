from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from registrasi.audit.middleware import current_ip
from registrasi.audit.models import AuditEvent
from registrasi.audit.signals import events_recorded


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the service's transaction so both commit together."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic().")
    actor_obj = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        from_state=from_state or "",
        to_state=to_state or "",
        note=note or "",
        data=data or {},
        ip_address=current_ip.get(),
    )


def audit_record_many(*, action: str, items: list) -> list[AuditEvent]:
    """`audit_record` by no person for many objects in one INSERT (`items`: (obj, data)
    pairs, objects of one model): a daily scan's events in a query per batch."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record_many must be called inside transaction.atomic().")
    if not items:
        return []
    content_type = ContentType.objects.get_for_model(items[0][0])
    ip_address = current_ip.get()
    events = [
        AuditEvent(
            action=action,
            content_type=content_type,
            object_id=str(obj.pk),
            object_repr=str(obj)[:255],
            data=data or {},
            ip_address=ip_address,
        )
        for obj, data in items
    ]
    events = AuditEvent.objects.bulk_create(events)
    events_recorded.send(sender=AuditEvent, events=events)
    return events
