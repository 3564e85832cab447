"""Checks and downloads for private uploaded files, shared by every app.

`validate_upload` reads the file but stores nothing, so a refused file leaves no trace. What
to store is `CheckedUpload.content`: the PDF as uploaded, or the image copied without its
metadata (registrasi.image_structure). `download_response` sends a stored file to a person the
caller has checked may see it.
"""

import hashlib
import unicodedata
from typing import NamedTuple

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from registrasi.file_structure import check_pdf
from registrasi.image_structure import clean_image

# Extension -> the content type libmagic must find. Documents: PDF, JPEG, PNG.
PDF_AND_IMAGE_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
IMAGE_TYPES = {ext: kind for ext, kind in PDF_AND_IMAGE_TYPES.items() if kind.startswith("image/")}
MAX_NAME_LENGTH = 150
SIGNED_URL_SECONDS = 300


class CheckedUpload(NamedTuple):
    ext: str
    content_type: str
    sha256: str
    size: int
    safe_name: str
    content: object  # the File to store: the upload itself, or an image without metadata


def _has_control_characters(name: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name)


def check_file_name(name: str) -> str:
    """Return the name to keep as metadata, or refuse it.

    Names with path parts ("/", "\\", "..") or control characters are refused, not
    silently repaired: the applicant should know which file was meant. Whitespace around
    the name is trimmed, and a very long stem is shortened (the extension kept).
    """
    if name is None or not str(name).strip():
        raise ValidationError(_("The file has no name."), code="name")
    name = unicodedata.normalize("NFC", str(name)).strip()
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith(".."):
        raise ValidationError(
            _("The file name “%(name)s” contains folder parts; rename the file and try again.")
            % {"name": name.encode("unicode_escape").decode()},
            code="name",
        )
    if _has_control_characters(name):
        raise ValidationError(
            _("The file name contains control characters; rename the file and try again."),
            code="name",
        )
    if "." not in name.strip("."):
        raise ValidationError(
            _("The file name has no extension; use .pdf, .jpg or .png."), code="name"
        )
    if len(name) > MAX_NAME_LENGTH:
        stem, ext = name.rsplit(".", 1)
        name = f"{stem[: MAX_NAME_LENGTH - len(ext) - 1]}.{ext}"
    return name


def _allowed_list(allowed) -> str:
    return ", ".join(f".{ext}" for ext in allowed)


def validate_upload(uploaded_file, *, allowed=None) -> CheckedUpload:
    """Check an uploaded file and return (ext, content_type, sha256, size, safe_name).

    Refuses (ValidationError with a message for the person uploading): a bad name, an
    extension outside `allowed` (extension -> content type; default PDF, JPEG, PNG), an
    empty file, a file over settings.MAX_UPLOAD_SIZE, content that libmagic does not
    recognise as the type the extension promises (an HTML page or a program renamed .pdf),
    and a structure that is not what it claims (registrasi.file_structure): a PDF that does
    not parse, is encrypted or carries scripts or actions; an image that does not decode.
    Size and SHA-256 are those of `content`, the bytes that will be stored.
    """
    allowed = PDF_AND_IMAGE_TYPES if allowed is None else allowed
    if uploaded_file is None:
        raise ValidationError(_("Choose a file to upload."), code="required")
    safe_name = check_file_name(getattr(uploaded_file, "name", ""))
    ext = safe_name.rsplit(".", 1)[-1].lower()
    if ext not in allowed:
        raise ValidationError(
            _("Files of type .%(ext)s are not accepted; use %(allowed)s.")
            % {"ext": ext, "allowed": _allowed_list(allowed)},
            code="extension",
        )
    size = uploaded_file.size
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > settings.MAX_UPLOAD_SIZE:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.MAX_UPLOAD_SIZE)},
            code="size",
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)
    detected = magic.from_buffer(head, mime=True)
    if detected != allowed[ext]:
        raise ValidationError(
            _("The content of “%(name)s” is not a %(ext)s file; it cannot be accepted.")
            % {"name": safe_name, "ext": ext.upper()},
            code="content",
        )
    content = _checked_structure(uploaded_file, content_type=detected, name=safe_name)
    content.seek(0)
    digest = hashlib.sha256()
    for chunk in content.chunks():
        digest.update(chunk)
    content.seek(0)
    return CheckedUpload(ext, detected, digest.hexdigest(), content.size, safe_name, content)


def _checked_structure(uploaded_file, *, content_type, name):
    if content_type == "application/pdf":
        check_pdf(uploaded_file)
        return uploaded_file
    return clean_image(uploaded_file, content_type=content_type, name=name)


def _uses_signed_urls(storage) -> bool:
    return bool(getattr(storage, "querystring_auth", False)) and hasattr(storage, "bucket_name")


def download_response(field_file, *, filename: str, content_type: str):
    """Send a private file as an attachment; on S3, redirect to a signed URL valid a few
    minutes. The caller must have checked that the person may see it."""
    storage = field_file.storage
    if _uses_signed_urls(storage):
        disposition = content_disposition_header(True, filename)
        url = storage.url(
            field_file.name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            expire=SIGNED_URL_SECONDS,
        )
        return HttpResponseRedirect(url)
    response = FileResponse(
        storage.open(field_file.name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
