"""The read log: who opened or downloaded which document, photo, report or certificate.

Every view that hands out such a file calls `record_read` after it checked the person may see
it. Staff read the log of one application; an organization's owners read the log of their own
organization's files.
"""

from django.contrib.contenttypes.models import ContentType

from registrasi.accounts.models import ReadEvent, ReadKind
from registrasi.audit.middleware import current_ip

__all__ = ["ReadKind", "record_read", "reads_of_application", "reads_of_organization"]


def record_read(*, reader, obj, kind: str, organization, application_id=None) -> ReadEvent:
    return ReadEvent.objects.create(
        reader=reader if reader is not None and reader.is_authenticated else None,
        organization=organization,
        kind=kind,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        application_id=application_id,
        ip_address=current_ip.get(),
    )


def reads_of_application(application_id: int):
    return ReadEvent.objects.filter(application_id=application_id).select_related("reader")


def reads_of_organization(organization):
    return ReadEvent.objects.filter(organization=organization).select_related("reader")
