import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.constants import DocumentType, ReviewStatus
from applications.documents import document_download_response
from applications.models import Document, DocumentVersion
from registrasi.services import NotAllowed
from registrasi.uploads import IMAGE_TYPES as IMAGE_CONTENT_TYPES
from registrasi.uploads import validate_upload
from tests.applications.factories import (
    EXE_BYTES,
    HTML_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    ApplicationFactory,
    pdf_upload,
    png_upload,
)

SOP = DocumentType.SOP_MANUAL


def stored_files():
    try:
        return default_storage.listdir("documents")[1]
    except FileNotFoundError:
        return []


@pytest.fixture
def draft(applicant):
    return ApplicationFactory(created_by=applicant)


def upload(application, actor, uploaded_file, document_type=SOP):
    return services.document_upload(
        application=application,
        actor=actor,
        document_type=document_type,
        uploaded_file=uploaded_file,
    )


# validate_upload --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("manual.pdf", PDF_BYTES, "application/pdf"),
        ("Scan.PDF", PDF_BYTES, "application/pdf"),
        ("photo.png", PNG_BYTES, "image/png"),
        ("photo.jpg", JPEG_BYTES, "image/jpeg"),
        ("photo.jpeg", JPEG_BYTES, "image/jpeg"),
    ],
)
def test_it_accepts_pdf_jpeg_and_png(name, content, content_type):
    checked = validate_upload(SimpleUploadedFile(name, content))
    ext, detected, sha256, size, safe_name, stored = checked
    assert ext == name.rsplit(".", 1)[1].lower()
    assert detected == content_type
    # A PDF is stored as uploaded; an image copied without its metadata (issue 14: no longer
    # re-encoded), so these, which carry none, are stored as uploaded too. Size and hash are
    # those of what is stored.
    data = stored.read()
    assert data == content
    assert sha256 == hashlib.sha256(data).hexdigest()
    assert size == len(data)
    assert safe_name == name


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("page.pdf", HTML_BYTES, "content"),
        ("setup.pdf", EXE_BYTES, "content"),
        ("photo.pdf", PNG_BYTES, "content"),  # a real PNG, but named .pdf: they must agree
        ("manual.png", PDF_BYTES, "content"),
        ("notes.txt", b"plain text", "extension"),
        ("page.html", HTML_BYTES, "extension"),
        ("setup.exe", EXE_BYTES, "extension"),
        ("empty.pdf", b"", "empty"),
        ("../../etc/passwd.pdf", PDF_BYTES, "name"),
        ("..\\evil.pdf", PDF_BYTES, "name"),
        ("dir/manual.pdf", PDF_BYTES, "name"),
        ("man\x00ual.pdf", PDF_BYTES, "name"),
        ("man\nual.pdf", PDF_BYTES, "name"),
        ("manual\u202efdp.exe", PDF_BYTES, "name"),  # right-to-left override trick
        ("   ", PDF_BYTES, "name"),
        ("noextension", PDF_BYTES, "name"),
    ],
)
def test_it_refuses_bad_files_with_a_clear_message(name, content, code):
    uploaded = SimpleUploadedFile("placeholder.pdf", content)
    uploaded._name = name  # bypass the basename() of the name setter: test the check itself
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(uploaded)
    assert excinfo.value.code == code
    assert excinfo.value.messages[0]


def test_it_refuses_files_over_the_limit(settings):
    settings.MAX_UPLOAD_SIZE = 1024
    big = PDF_BYTES + b"%" * 1024
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(SimpleUploadedFile("big.pdf", big))
    assert excinfo.value.code == "size"
    assert "1.0 KB" in excinfo.value.messages[0] or "KB" in excinfo.value.messages[0]
    validate_upload(SimpleUploadedFile("ok.pdf", PDF_BYTES))


def test_the_default_limit_is_ten_megabytes(settings):
    assert settings.MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    exactly = PDF_BYTES + b"%" * (settings.MAX_UPLOAD_SIZE - len(PDF_BYTES))
    assert validate_upload(SimpleUploadedFile("max.pdf", exactly)).size == exactly.__len__()
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("over.pdf", exactly + b"%"))


def test_images_only_refuses_a_pdf():
    assert validate_upload(png_upload(), allowed=IMAGE_CONTENT_TYPES).content_type == "image/png"
    with pytest.raises(ValidationError) as excinfo:
        validate_upload(pdf_upload(), allowed=IMAGE_CONTENT_TYPES)
    assert excinfo.value.code == "extension"


def test_a_very_long_name_is_shortened_keeping_the_extension():
    checked = validate_upload(SimpleUploadedFile("a" * 300 + ".pdf", PDF_BYTES))
    assert len(checked.safe_name) <= 150
    assert checked.safe_name.endswith(".pdf")


# document_upload --------------------------------------------------------------------------
def test_an_upload_is_stored_privately_under_a_random_name(draft, applicant):
    version = upload(draft, applicant, pdf_upload("SOP Perusahaan 2026.pdf"))
    assert version.number == 1
    assert version.original_name == "SOP Perusahaan 2026.pdf"
    assert version.size == len(PDF_BYTES)
    assert version.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert version.content_type == "application/pdf"
    assert version.uploaded_by == applicant
    assert version.review_status == ReviewStatus.PENDING
    assert version.file.name.startswith("documents/")
    assert "SOP" not in version.file.name
    assert len(version.file.name) == len("documents/") + 32 + len(".pdf")
    with default_storage.open(version.file.name, "rb") as stored:
        assert stored.read() == PDF_BYTES
    assert stored_files() == [version.file.name.split("/")[1]]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.pdf", HTML_BYTES),
        ("setup.pdf", EXE_BYTES),
        ("empty.pdf", b""),
        ("../secret.pdf", PDF_BYTES),
        ("ctrl\x07.pdf", PDF_BYTES),
    ],
)
def test_a_refused_upload_stores_nothing(draft, applicant, name, content):
    uploaded = SimpleUploadedFile("x.pdf", content)
    uploaded._name = name
    with pytest.raises(ValidationError):
        upload(draft, applicant, uploaded)
    assert stored_files() == []
    assert DocumentVersion.objects.count() == 0


def test_an_oversized_upload_stores_nothing(draft, applicant, settings):
    settings.MAX_UPLOAD_SIZE = 100
    with pytest.raises(ValidationError):
        upload(draft, applicant, pdf_upload(content=PDF_BYTES + b"%" * 100))
    assert stored_files() == []
    assert DocumentVersion.objects.count() == 0


def test_a_reupload_adds_a_version_and_keeps_the_old_one(draft, applicant):
    first = upload(draft, applicant, pdf_upload("v1.pdf"))
    second = upload(draft, applicant, png_upload("v2.png"))
    assert second.document_id == first.document_id
    assert second.number == 2
    assert Document.objects.get(pk=first.document_id).current_version == second
    assert DocumentVersion.objects.count() == 2
    assert default_storage.exists(first.file.name)
    assert default_storage.exists(second.file.name)
    assert len(stored_files()) == 2


def test_other_documents_may_be_many_and_each_may_get_versions(draft, applicant):
    a = upload(draft, applicant, pdf_upload("a.pdf"), DocumentType.OTHER)
    b = upload(draft, applicant, pdf_upload("b.pdf"), DocumentType.OTHER)
    assert a.document_id != b.document_id
    a2 = services.document_upload(
        application=draft,
        actor=applicant,
        document_type=DocumentType.OTHER,
        uploaded_file=pdf_upload("a2.pdf"),
        document=a.document,
    )
    assert (a2.document_id, a2.number) == (a.document_id, 2)


def test_it_refuses_adding_a_version_to_another_applications_document(draft, applicant):
    mine = upload(draft, applicant, pdf_upload("a.pdf"), DocumentType.OTHER)
    other_draft = ApplicationFactory(created_by=applicant)
    with pytest.raises(NotAllowed):
        services.document_upload(
            application=other_draft,
            actor=applicant,
            document_type=DocumentType.OTHER,
            uploaded_file=pdf_upload(),
            document=mine.document,
        )


def test_it_refuses_an_unknown_document_type(draft, applicant):
    with pytest.raises(ValidationError):
        upload(draft, applicant, pdf_upload(), "passport")


def test_a_member_of_the_organization_may_upload(draft, member):
    assert upload(draft, member, pdf_upload()).uploaded_by == member


@pytest.mark.parametrize("who", ["outsider", "staff_user", "inspector", "no_role_user"])
def test_only_members_may_upload(draft, request, who):
    with pytest.raises(NotAllowed):
        upload(draft, request.getfixturevalue(who), pdf_upload())
    assert stored_files() == []


@pytest.mark.parametrize("state", ["submitted", "under_review", "rejected", "withdrawn"])
def test_uploads_are_refused_outside_draft_returned_awaiting_and_failed_inspection(
    applicant, state
):
    application = ApplicationFactory(created_by=applicant, to_state=state)
    before = DocumentVersion.objects.count()
    with pytest.raises(NotAllowed):
        upload(application, applicant, pdf_upload())
    assert DocumentVersion.objects.count() == before


def test_uploads_are_allowed_when_returned(applicant):
    application = ApplicationFactory(created_by=applicant, returned=True)
    assert upload(application, applicant, pdf_upload()).number == 2


def test_uploads_are_allowed_while_awaiting_inspection(applicant):
    # The new version then waits for the desk and blocks scheduling (test_document_review_rule).
    application = ApplicationFactory(created_by=applicant, awaiting_inspection=True)
    assert upload(application, applicant, pdf_upload()).number == 2


def test_an_upload_is_audited(draft, applicant):
    from registrasi.audit.selectors import timeline_for

    version = upload(draft, applicant, pdf_upload("sop.pdf"))
    event = list(timeline_for(draft))[-1]
    assert event.action == "document_upload"
    assert event.data["sha256"] == version.sha256


# Download ---------------------------------------------------------------------------------
def test_the_download_is_an_attachment_with_the_original_name(draft, applicant):
    version = upload(draft, applicant, pdf_upload("SOP final.pdf"))
    response = document_download_response(version=version)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "SOP final.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES
    response.close()


def test_uploads_are_allowed_after_a_failed_inspection(applicant, staff_user, inspector):
    from django.db import transaction

    from registrasi.services import run_transition

    application = ApplicationFactory(
        created_by=applicant, awaiting_inspection=True, paid=True, staff=staff_user
    )
    with transaction.atomic():
        application = run_transition(obj=application, name="schedule", actor=staff_user).obj
        application = run_transition(obj=application, name="record_fail", actor=inspector).obj
    assert application.state == "inspection_failed"
    version = upload(application, applicant, pdf_upload("corrected-sop.pdf"))
    assert version.number == 2
