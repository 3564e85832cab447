"""The download of one DocumentVersion. The checks and downloads of every upload are shared:
registrasi.uploads (validate_upload allows PDF, JPEG and PNG unless told otherwise)."""

from applications.constants import DocumentType
from registrasi.uploads import download_response


def document_download_response(*, version):
    """The HTTP response for one DocumentVersion (see registrasi.uploads.download_response)."""
    return download_response(
        version.file, filename=version.original_name, content_type=version.content_type
    )


def mark_shared_files(slots) -> None:
    """Set `shares_file_with` on each required slot whose current version is the same stored
    file as another required slot's: the label of that slot. It happens where one file held
    several documents before they had a slot each (migration 0014: the NIB and the deed of
    establishment), so the applicant and the reviewer see that one file fills both."""
    by_file = {}
    for slot in slots:
        if (
            slot.document_type != DocumentType.OTHER
            and slot.current is not None
            and slot.current.file
        ):
            by_file.setdefault(slot.current.file.name, []).append(slot)
    for same in by_file.values():
        for slot in same:
            slot.shares_file_with = ", ".join(s.label for s in same if s is not slot)
