"""The download of one DocumentVersion. The checks and downloads of every upload are shared:
registrasi.uploads (validate_upload allows PDF, JPEG and PNG unless told otherwise)."""

from registrasi.uploads import download_response


def document_download_response(*, version):
    """The HTTP response for one DocumentVersion (see registrasi.uploads.download_response)."""
    return download_response(
        version.file, filename=version.original_name, content_type=version.content_type
    )
