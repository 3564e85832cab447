"""Uploads are checked by structure: each hostile kind is refused and nothing is stored;
an accepted photo is stored without its metadata."""

import io

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageOps
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from applications import services as application_services
from applications.constants import DocumentType
from applications.models import DocumentVersion
from inspections import services as inspection_services
from inspections.models import EvidencePhoto
from registrasi.uploads import validate_upload
from tests.applications.factories import PDF_BYTES, ApplicationFactory
from tests.inspections.factories import make_inspection


def _pdf(change=None):
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if change:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action(kind, **entries):
    def change(writer):
        action = DictionaryObject({NameObject("/S"): NameObject(kind)})
        for key, value in entries.items():
            action[NameObject(f"/{key}")] = TextStringObject(value)
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return change


def _encrypted(writer):
    writer.encrypt("rahasia")


def _attachment(writer):
    writer.add_attachment("payload.exe", b"MZ\x90\x00" * 64)


def _document_js(writer):
    """JavaScript in the document's name tree: runs when the document opens."""
    action = writer._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hello');"),
            }
        )
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("x"), action])})
    names = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    writer._root_object[NameObject("/Names")] = writer._add_object(names)


def _page_action(writer):
    """An additional action on the first page: runs when the page is shown."""
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch")})
    page = writer.pages[0]
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(action)})


def _jpeg(exif=None, size=(32, 24)):
    out = io.BytesIO()
    image = Image.new("RGB", size, (10, 120, 200))
    if exif is not None:
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def _gps_exif():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = {1: "S", 2: (6.0, 12.0, 30.0), 3: "E", 4: (106.0, 49.0, 10.0)}
    exif[0x8825] = gps  # GPSInfo
    return exif


HOSTILE_PDFS = {
    "not a PDF after its first bytes": b"%PDF-1.7\n" + b"this is not a PDF at all\n" * 50,
    "truncated": PDF_BYTES[: len(PDF_BYTES) // 2],
    "encrypted": _pdf(_encrypted),
    "OpenAction JavaScript": _pdf(_open_action("/JavaScript", JS="app.alert(1)")),
    "Launch action": _pdf(_open_action("/Launch", F="C:\\\\Windows\\\\calc.exe")),
    "document JavaScript": _pdf(_document_js),
    "embedded file": _pdf(_attachment),
    "page action": _pdf(_page_action),
}
HOSTILE_IMAGES = {
    "photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\x00" * 64,
    "scan.png": b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\xff" * 40,
}


def stored_files(prefix):
    try:
        directories, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return []
    return files + [d for d in directories if stored_files(f"{prefix}/{d}")]


@pytest.mark.parametrize("kind", list(HOSTILE_PDFS))
def test_a_hostile_pdf_is_refused(kind):
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("deed.pdf", HOSTILE_PDFS[kind]))


@pytest.mark.parametrize("kind", list(HOSTILE_PDFS))
def test_a_hostile_pdf_upload_stores_nothing(applicant, kind):
    draft = ApplicationFactory(created_by=applicant)
    before = DocumentVersion.objects.count()
    with pytest.raises(ValidationError):
        application_services.document_upload(
            application=draft,
            actor=applicant,
            document_type=DocumentType.SOP_MANUAL,
            uploaded_file=SimpleUploadedFile("sop.pdf", HOSTILE_PDFS[kind]),
        )
    assert DocumentVersion.objects.count() == before
    assert stored_files("documents") == []


def test_the_upload_page_says_why_and_stores_nothing(client, applicant):
    draft = ApplicationFactory(created_by=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("applications:upload", args=[draft.pk]),
        {
            "document_type": DocumentType.SOP_MANUAL,
            "file": SimpleUploadedFile("sop.pdf", HOSTILE_PDFS["OpenAction JavaScript"]),
        },
        follow=True,
    )
    assert response.status_code in (200, 400)
    assert "scripts, automatic actions or attached files" in response.content.decode()
    assert not DocumentVersion.objects.exists()
    assert stored_files("documents") == []


def test_a_clean_pdf_is_accepted_as_uploaded():
    checked = validate_upload(SimpleUploadedFile("deed.pdf", PDF_BYTES))
    assert checked.content.read() == PDF_BYTES


def test_a_pdf_that_only_opens_at_its_first_page_is_accepted():
    """Word and scanners write an /OpenAction that shows page 1: nothing runs."""

    def open_at_first_page(writer):
        page = writer.pages[0].indirect_reference
        writer._root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])

    data = _pdf(open_at_first_page)
    assert b"/OpenAction" in data
    assert validate_upload(SimpleUploadedFile("deed.pdf", data)).content_type == "application/pdf"


@pytest.mark.parametrize("name", list(HOSTILE_IMAGES))
def test_an_image_that_does_not_decode_is_refused_as_document_and_as_evidence(
    applicant, inspector, name
):
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile(name, HOSTILE_IMAGES[name]))
    inspection = make_inspection(inspector=inspector)
    with pytest.raises(ValidationError):
        inspection_services.evidence_add(
            inspection=inspection,
            actor=inspector,
            uploaded_file=SimpleUploadedFile(name, HOSTILE_IMAGES[name]),
        )
    assert not EvidencePhoto.objects.exists()
    assert stored_files("inspections") == []


def test_a_photo_is_stored_without_its_gps_and_camera_metadata(inspector):
    original = _jpeg(exif=_gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the GPS is there
    inspection = make_inspection(inspector=inspector)
    photo = inspection_services.evidence_add(
        inspection=inspection,
        actor=inspector,
        uploaded_file=SimpleUploadedFile("site.jpg", original),
    )
    stored = photo.file.read()
    image = Image.open(io.BytesIO(stored))
    assert image.size == (32, 24)
    assert dict(image.getexif()) == {}
    assert b"PhoneMaker" not in stored
    assert b"Exif" not in stored


def test_a_photo_taken_sideways_keeps_only_its_orientation_tag():
    # Changed with issue 14: the photo is no longer decoded and turned (which held it whole in
    # memory) but copied as it is, with an EXIF block holding only its orientation.
    exif = _gps_exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    checked = validate_upload(SimpleUploadedFile("side.jpg", _jpeg(exif=exif, size=(40, 20))))
    image = Image.open(checked.content)
    assert dict(image.getexif()) == {0x0112: 6}
    assert ImageOps.exif_transpose(image).size == (20, 40)
    checked.content.seek(0)
    assert b"PhoneMaker" not in checked.content.read()


def test_a_png_with_text_chunks_is_stored_without_them():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Secret Person")
    out = io.BytesIO()
    Image.new("RGBA", (5, 5), (0, 0, 0, 0)).save(out, "PNG", pnginfo=info)
    checked = validate_upload(SimpleUploadedFile("poster.png", out.getvalue()))
    data = checked.content.read()
    assert b"Secret Person" not in data
    assert Image.open(io.BytesIO(data)).mode == "RGBA"
