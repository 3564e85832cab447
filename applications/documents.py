"""Documents of applications: the shared upload checks and downloads (registrasi.uploads)
with the application's own content types, and the response for one DocumentVersion.

`validate_upload` is shared: applications use it for documents, inspections for evidence
photos (`allowed=IMAGE_CONTENT_TYPES`).
"""

from applications.constants import DOCUMENT_CONTENT_TYPES, IMAGE_CONTENT_TYPES  # noqa: F401
from registrasi.uploads import (  # noqa: F401  (imported from here by the apps)
    CheckedUpload,
    check_file_name,
    download_response,
)
from registrasi.uploads import validate_upload as _validate_upload


def validate_upload(uploaded_file, *, allowed=None):
    """registrasi.uploads.validate_upload, allowing PDF, JPEG and PNG unless told otherwise."""
    return _validate_upload(
        uploaded_file, allowed=DOCUMENT_CONTENT_TYPES if allowed is None else allowed
    )


def document_download_response(*, version):
    """The HTTP response for one DocumentVersion (see download_response)."""
    return download_response(
        version.file, filename=version.original_name, content_type=version.content_type
    )
