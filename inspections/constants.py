from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.constants import ApplicationKind


class InspectionState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    IN_PROGRESS = "in_progress", _("In progress")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# An inspector is busy during the window of these inspections (overlap check).
ACTIVE_STATES = (InspectionState.SCHEDULED, InspectionState.IN_PROGRESS)
# Findings may still change in these states; afterwards they are locked.
EDITABLE_STATES = ACTIVE_STATES
SUBMITTED_STATES = (InspectionState.PASSED, InspectionState.FAILED)


class Requirement(models.TextChoices):
    """One checklist item per requirement of the regulation, in the order of the form."""

    BUSINESS_ENTITY = "business_entity", _("Business entity registered and matching")
    CERTIFICATE_DISPLAYED = "certificate_displayed", _("Certificate displayed at the premises")
    AGENT_TRAINING = "agent_training", _("Agent training and management")
    DATA_PROTECTION = "data_protection", _("Data protection and privacy")
    SOPS = "sops", _("SOPs written and followed")
    DECLARED_FACTS = "declared_facts", _("Declared seats and sites match what is seen")


# A new company has no certificate to display yet; renewals and changes do.
CERTIFICATE_KINDS = (ApplicationKind.RENEWAL, ApplicationKind.CHANGE)


def requirements_for(kind) -> list[str]:
    """The checklist for an application of `kind`, in form order."""
    return [
        requirement
        for requirement in Requirement
        if requirement != Requirement.CERTIFICATE_DISPLAYED or kind in CERTIFICATE_KINDS
    ]


class FindingResult(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    MINOR = "minor", _("Minor non-compliance")
    MAJOR = "major", _("Major non-compliance")


# Evidence photos: JPEG and PNG only (extension -> content type libmagic must find).
EVIDENCE_CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
