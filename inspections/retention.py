"""The retention rule for inspection evidence photos (declared with the other rules in
registrasi.accounts.retention, applied by its daily scan)."""

from inspections.models import EvidencePhoto
from registrasi.accounts.retention import purge_stored_files


def purge_evidence_photos(*, before) -> int:
    """Remove every evidence photo uploaded before `before`; the row stays with the
    inspection (requirement, caption, size, SHA-256, who took it and when)."""
    return purge_stored_files(
        EvidencePhoto.objects.filter(uploaded_at__lt=before).select_related("inspection"),
        rule_key="inspection_photos",
        audit_object=lambda photo: photo.inspection,
        action="evidence_purged",
        describe=lambda photo: {"photo": photo.pk, "requirement": photo.requirement},
    )
