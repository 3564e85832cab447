"""The retention rule for documents of rejected or withdrawn applications (declared with the
other rules in registrasi.accounts.retention, applied by its daily scan)."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast

from applications.constants import ApplicationState
from applications.models import Application, DocumentVersion
from registrasi.accounts.retention import purge_stored_files
from registrasi.audit.models import AuditEvent

ENDED_STATES = (ApplicationState.REJECTED, ApplicationState.WITHDRAWN)


def ended_before(before: datetime.datetime):
    """Rejected or withdrawn applications whose rejection or withdrawal (its audit event)
    happened before `before`. Both states are final, so the event is the end."""
    ended = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Application),
        object_id=OuterRef("pk_text"),
        to_state__in=ENDED_STATES,
        created_at__lt=before,
    )
    return (
        Application.objects.filter(state__in=ENDED_STATES)
        .annotate(pk_text=Cast("pk", CharField()))
        .filter(Exists(ended))
    )


def purge_ended_application_documents(*, before: datetime.datetime) -> int:
    """Remove the files of every document version of the applications that ended before
    `before`. A version carried over from an earlier application shares that application's
    file: the row is blanked, the file stays for the row that keeps it."""
    versions = DocumentVersion.objects.filter(
        document__application__in=ended_before(before)
    ).select_related("document")
    return purge_stored_files(
        versions,
        rule_key="ended_application_documents",
        audit_object=lambda version: version.document.application,
        action="document_purged",
        describe=lambda version: {
            "version": version.number,
            "version_id": version.pk,
            "document_type": version.document.document_type,
        },
    )
