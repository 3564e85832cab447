import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from inspections import services
from inspections.constants import InspectionState, Requirement
from inspections.models import EvidencePhoto
from inspections.services import NotAllowed
from registrasi.audit.models import AuditEvent
from tests.inspections.factories import (
    HTML_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    jpeg_upload,
    png_upload,
    record_all,
)

pytestmark = pytest.mark.usefixtures("english")


def stored_files(tmp_path):
    root = tmp_path / "private" / "inspections"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def add(inspection, uploaded_file, actor=None, **kwargs):
    return services.evidence_add(
        inspection=inspection,
        actor=actor or inspection.inspector,
        uploaded_file=uploaded_file,
        **kwargs,
    )


def test_a_jpeg_is_stored_privately_under_a_random_name(scheduled, tmp_path):
    photo = add(
        scheduled,
        jpeg_upload("Ruang server lantai 3.JPG"),
        requirement=Requirement.DATA_PROTECTION,
        caption="Locked server room",
    )

    assert photo.original_name == "Ruang server lantai 3.JPG"
    assert photo.content_type == "image/jpeg"
    # What is stored is the photo re-encoded without metadata: size and hash are of that.
    stored = photo.file.read()
    assert photo.size == len(stored)
    assert photo.sha256 == hashlib.sha256(stored).hexdigest()
    assert photo.requirement == Requirement.DATA_PROTECTION
    assert photo.caption == "Locked server room"
    assert photo.file.name.startswith("inspections/evidence/")
    assert "Ruang" not in photo.file.name
    assert photo.file.name.endswith(".jpg")
    assert [p.name for p in stored_files(tmp_path)] == [photo.file.name.rsplit("/", 1)[1]]
    assert photo.inspection.state == InspectionState.IN_PROGRESS  # the first photo starts it
    assert AuditEvent.objects.for_object(scheduled).filter(action="evidence_add").exists()


def test_a_png_is_accepted(scheduled):
    photo = add(scheduled, png_upload("sop-poster.png"))
    assert photo.content_type == "image/png"
    assert photo.file.read().startswith(PNG_BYTES[:8])


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("scan.jpg", PDF_BYTES, "not a JPG"),
        ("page.jpg", HTML_BYTES, "not a JPG"),
        ("page.png", HTML_BYTES, "not a PNG"),
        ("photo.jpg", PNG_BYTES, "not a JPG"),
        ("report.pdf", PDF_BYTES, "not accepted"),
        ("animation.gif", b"GIF89a" + b"\x00" * 40, "not accepted"),
        ("empty.jpg", b"", "empty"),
    ],
)
def test_it_refuses_files_that_are_not_photos(scheduled, tmp_path, name, content, message):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with pytest.raises(ValidationError, match=message):
        add(scheduled, upload)
    assert not EvidencePhoto.objects.exists()
    assert stored_files(tmp_path) == []


def test_it_refuses_an_oversized_photo(scheduled, settings, tmp_path):
    settings.MAX_UPLOAD_SIZE = 1024
    big = jpeg_upload(content=JPEG_BYTES + b"\x00" * 2048)
    with pytest.raises(ValidationError, match="limit"):
        add(scheduled, big)
    assert not EvidencePhoto.objects.exists()
    assert stored_files(tmp_path) == []


def test_it_refuses_a_requirement_not_on_the_checklist(scheduled, tmp_path):
    with pytest.raises(ValidationError):
        add(scheduled, jpeg_upload(), requirement=Requirement.CERTIFICATE_DISPLAYED)
    assert stored_files(tmp_path) == []


@pytest.mark.parametrize("who", ["other_inspector", "staff_user", "applicant", "outsider"])
def test_only_the_assigned_inspector_adds_photos(who, scheduled, request, tmp_path):
    with pytest.raises(NotAllowed):
        add(scheduled, jpeg_upload(), actor=request.getfixturevalue(who))
    assert stored_files(tmp_path) == []


def test_no_photos_after_submission(in_progress, tmp_path):
    record_all(in_progress)
    services.inspection_submit(inspection=in_progress, actor=in_progress.inspector)
    with pytest.raises(NotAllowed, match="can no longer change"):
        add(in_progress, jpeg_upload())
    assert not EvidencePhoto.objects.exists()


def test_the_download_helper_sends_the_original_name(scheduled):
    photo = add(scheduled, jpeg_upload("meja agen.jpg"))
    response = services.evidence_download_response(photo=photo)
    sent = b"".join(response.streaming_content)
    assert sent.startswith(JPEG_BYTES[:3])
    assert hashlib.sha256(sent).hexdigest() == photo.sha256
    assert response["Content-Type"] == "image/jpeg"
    assert "meja" in response["Content-Disposition"]
