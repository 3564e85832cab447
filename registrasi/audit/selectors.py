from registrasi.audit.models import AuditEvent


def timeline_for(obj):
    """Every event recorded on `obj`, oldest first, with the actor loaded in the same query."""
    return AuditEvent.objects.for_object(obj).select_related("actor")
