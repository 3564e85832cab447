from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    RETURNED = "returned", _("Returned for changes")
    AWAITING_INSPECTION = "awaiting_inspection", _("Awaiting inspection")
    INSPECTION_SCHEDULED = "inspection_scheduled", _("Inspection scheduled")
    INSPECTION_PASSED = "inspection_passed", _("Inspection passed")
    INSPECTION_FAILED = "inspection_failed", _("Inspection failed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApplicationKind(models.TextChoices):
    NEW = "new", _("New registration")
    RENEWAL = "renewal", _("Renewal")
    CHANGE = "change", _("Change report")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    BOTH = "both", _("Inbound and outbound")


class Sourcing(models.TextChoices):
    IN_HOUSE = "in_house", _("In-house")
    OUTSOURCED = "outsourced", _("Outsourced")


EDITABLE_STATES = (ApplicationState.DRAFT, ApplicationState.RETURNED)
WITHDRAWABLE_STATES = (
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.RETURNED,
    ApplicationState.UNDER_REVIEW,
    ApplicationState.AWAITING_INSPECTION,
    ApplicationState.INSPECTION_FAILED,
)
