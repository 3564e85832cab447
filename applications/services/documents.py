"""Documents: the applicant uploads versions, staff accept or reject the current one."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.constants import (
    DOCUMENT_REVIEW_STATES,
    DOCUMENT_UPLOAD_STATES,
    REPLACEMENT_UPLOAD_STATES,
    DocumentType,
    ReviewStatus,
)
from applications.models import STAFF_REVIEW, Application, Document, DocumentVersion
from applications.services.base import lock_for_applicant, refuse_unless_state
from registrasi.accounts.models import User
from registrasi.audit.services import audit_record
from registrasi.services import NotAllowed, lock, refuse_unless_perm, require_text
from registrasi.uploads import validate_upload


def document_upload(
    *,
    application: Application,
    actor: User,
    document_type: str,
    uploaded_file: UploadedFile,
    document: Document | None = None,
) -> DocumentVersion:
    """Store a new version of a document. Allowed in draft, returned, awaiting inspection
    and inspection failed; once an inspection is scheduled or passed, only to replace a
    document the ministry rejected (REPLACEMENT_UPLOAD_STATES).

    The file is checked before anything is stored (registrasi.uploads.validate_upload).
    A required type has one Document; each upload adds the next version and keeps the old.
    For "other", each upload is a new Document unless `document` (an "other" document of
    this application) is given.
    """
    if document_type not in DocumentType.values:
        raise ValidationError({"document_type": _("Choose a document type.")})
    checked = validate_upload(uploaded_file)
    with transaction.atomic():
        locked = lock_for_applicant(
            application, actor, states=DOCUMENT_UPLOAD_STATES + REPLACEMENT_UPLOAD_STATES
        )
        doc = _document_for(locked, document_type, document)
        if locked.state in REPLACEMENT_UPLOAD_STATES:
            _refuse_unless_rejected(locked, doc)
        number = (doc.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = DocumentVersion(
            document=doc,
            number=number,
            original_name=checked.safe_name,
            size=checked.size,
            sha256=checked.sha256,
            content_type=checked.content_type,
            uploaded_by=actor,
        )
        version.file.save(f"upload.{checked.ext}", checked.content, save=False)
        try:
            version.save()
            _refresh_documents_to_review(locked)
            audit_record(
                actor=actor,
                action="document_upload",
                obj=locked,
                data={
                    "document_type": document_type,
                    "version": number,
                    "name": checked.safe_name,
                    "sha256": checked.sha256,
                },
            )
        except Exception:
            # The row did not make it: do not leave an orphan file behind.
            version.file.storage.delete(version.file.name)
            raise
    return version


def _refresh_documents_to_review(application: Application) -> None:
    """Keep Application.has_documents_to_review (the staff queue's flag) true to the documents,
    in the same transaction as the version that changed it."""
    Application.objects.filter(pk=application.pk).refresh_documents_to_review()


def _refuse_unless_rejected(application: Application, document: Document) -> None:
    current = document.versions.order_by("-number").first()
    if current is None or current.review_status != ReviewStatus.REJECTED:
        raise NotAllowed(
            _(
                "While the application is “%(state)s”, only a document the ministry rejected "
                "can be replaced."
            )
            % {"state": application.get_state_display()}
        )


def _document_for(
    application: Application, document_type: str, document: Document | None
) -> Document:
    if document_type != DocumentType.OTHER:
        doc, _created = Document.objects.get_or_create(
            application=application, document_type=document_type
        )
        return doc
    if document is None:
        return Document.objects.create(application=application, document_type=document_type)
    if document.application_id != application.pk or document.document_type != DocumentType.OTHER:
        raise NotAllowed(_("You are not allowed to do this."))
    return document


def document_review(
    *, version: DocumentVersion, actor: User, accepted: bool, reason: str = ""
) -> DocumentVersion:
    """Staff accept or reject the current version of a document: during the desk review, and
    later whenever a new version is waiting (it blocks scheduling and approval until then)."""
    refuse_unless_perm(actor, STAFF_REVIEW)
    if not accepted:
        reason = require_text(reason)
    with transaction.atomic():
        application = lock(version.document.application)
        refuse_unless_state(application, DOCUMENT_REVIEW_STATES)
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        newest = locked.document.versions.aggregate(n=Max("number"))["n"]
        if locked.number != newest:
            raise NotAllowed(_("Only the newest version of a document can be reviewed."))
        locked.review_status = ReviewStatus.ACCEPTED if accepted else ReviewStatus.REJECTED
        locked.review_reason = (reason or "").strip()
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["review_status", "review_reason", "reviewed_by", "reviewed_at"])
        _refresh_documents_to_review(application)
        audit_record(
            actor=actor,
            action="document_review",
            obj=application,
            note=locked.review_reason,
            data={
                "document_type": locked.document.document_type,
                "version": locked.number,
                "status": locked.review_status,
            },
        )
    return locked
