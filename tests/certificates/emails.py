"""Reading the emails about a certificate as certificates.notifications renders them."""

from certificates.notifications import render_email
from registrasi.audit.models import AuditEvent


def issue_email(certificate, recipient) -> tuple[str, str]:
    """(subject, body) of the "issued" email of `certificate` for `recipient`."""
    event = AuditEvent.objects.for_object(certificate).get(action="issue")
    return render_email(event, certificate, None, recipient)
