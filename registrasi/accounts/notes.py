"""How the retention scan's audit events are told (registrasi.audit.notes)."""

from django.utils.translation import gettext as _

from registrasi.audit.notes import note_renderer


@note_renderer("document_purged")
def _document_purged(data):
    return _(
        "The file was removed under the retention rule; its SHA-256 fingerprint %(sha256)s is kept."
    ) % {"sha256": data.get("sha256", "?")}


@note_renderer("evidence_purged")
def _evidence_purged(data):
    return _(
        "Photo #%(photo)s was removed under the retention rule; its SHA-256 fingerprint "
        "%(sha256)s is kept."
    ) % {"photo": data.get("photo", "?"), "sha256": data.get("sha256", "?")}


@note_renderer("retention_ip_addresses_blanked")
def _ip_addresses_blanked(data):
    return _(
        "IP addresses blanked under the retention rule: %(audit)s audit events and %(reads)s "
        "reads of files."
    ) % {"audit": data.get("audit_events", 0), "reads": data.get("read_events", 0)}
