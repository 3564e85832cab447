from django.db import models
from django.utils.translation import gettext_lazy as _

ISSUE_CERTIFICATE = "certificates.issue_certificate"
SANCTION_CERTIFICATE = "certificates.sanction_certificate"


class CertificateState(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")


# Shown in the public register (a superseded certificate has a newer one that is listed).
REGISTRY_STATES = (
    CertificateState.ACTIVE,
    CertificateState.SUSPENDED,
    CertificateState.REVOKED,
    CertificateState.EXPIRED,
)


class SanctionKind(models.TextChoices):
    FINE = "fine", _("Fine")
    SUSPENSION = "suspension", _("Suspension")
    REINSTATEMENT = "reinstatement", _("Reinstatement")
    REVOCATION = "revocation", _("Revocation")


class VerificationStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded by a newer certificate")
    UNKNOWN = "unknown", _("No certificate has this number")
    MISTYPED = "mistyped", _("This is not a valid certificate number: check it for typing mistakes")


# What the certificate's state means for someone verifying it today.
STATE_TO_STATUS = {
    CertificateState.ACTIVE: VerificationStatus.VALID,
    CertificateState.SUSPENDED: VerificationStatus.SUSPENDED,
    CertificateState.REVOKED: VerificationStatus.REVOKED,
    CertificateState.EXPIRED: VerificationStatus.EXPIRED,
    CertificateState.SUPERSEDED: VerificationStatus.SUPERSEDED,
}


# The audit action of an expiry reminder (its data names the milestone): the event the
# members are emailed about (certificates.reminders, certificates.notifications).
EXPIRY_REMINDER = "expiry_reminder"
