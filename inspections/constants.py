from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.kinds import kind_of
from registrasi.dates import JAKARTA  # noqa: F401 (named here for older callers)


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
    REPORTED_CHANGES = "reported_changes", _("The reported changes are in place as declared")


def requirements_for(kind) -> list[str]:
    """The checklist for an application of `kind`, in form order: what the kind's declaration
    (applications.kinds) says is checked. A new company has no certificate to display yet; a
    change report's inspection also confirms what changed."""
    rules = kind_of(kind)
    skipped = set()
    if not rules.checks_displayed_certificate:
        skipped.add(Requirement.CERTIFICATE_DISPLAYED)
    if not rules.reports_changes:
        skipped.add(Requirement.REPORTED_CHANGES)
    return [requirement for requirement in Requirement if requirement not in skipped]


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
