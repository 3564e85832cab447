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


# The company facts an application declares: what the applicant fills in, what a renewal or
# change report copies from its certificate's application, what a change report compares.
COMPANY_FIELDS = (
    "company_legal_name",
    "company_address",
    "company_province",
    "agent_seats",
    "direction",
    "sourcing",
    "foreign_owned",
)

# States in which the applicant may change the declared facts and sites.
EDITABLE_STATES = (ApplicationState.DRAFT, ApplicationState.RETURNED)
# States from which the applicant may withdraw.
WITHDRAWABLE_STATES = (
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.RETURNED,
    ApplicationState.UNDER_REVIEW,
    ApplicationState.AWAITING_INSPECTION,
    ApplicationState.INSPECTION_FAILED,
)

# States in which the applicant may upload any document. A version uploaded while awaiting an
# inspection or after a failed one waits for the ministry's review, and scheduling waits for
# it to be accepted (applications.selectors.readiness_blockers).
DOCUMENT_UPLOAD_STATES = (
    ApplicationState.DRAFT,
    ApplicationState.RETURNED,
    ApplicationState.AWAITING_INSPECTION,
    ApplicationState.INSPECTION_FAILED,
)
# States in which the applicant may only replace a document the ministry rejected (staff may
# still reject one after scheduling; without this the application could not move on).
REPLACEMENT_UPLOAD_STATES = (
    ApplicationState.INSPECTION_SCHEDULED,
    ApplicationState.INSPECTION_PASSED,
)
# States in which staff review documents: the desk review, and every later state in which a
# new version may be waiting (scheduling and approval wait for it).
DOCUMENT_REVIEW_STATES = (
    ApplicationState.UNDER_REVIEW,
    ApplicationState.AWAITING_INSPECTION,
    ApplicationState.INSPECTION_SCHEDULED,
    ApplicationState.INSPECTION_PASSED,
    ApplicationState.INSPECTION_FAILED,
)
# States that mean the applicant must act next.
WAITING_ON_APPLICANT_STATES = (
    ApplicationState.DRAFT,
    ApplicationState.RETURNED,
    ApplicationState.INSPECTION_FAILED,
)
# The ministry desk's default queue.
STAFF_QUEUE_STATES = (ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW)
# The staff queue's filter for applications with a new document version to review (they are
# in the default queue too).
QUEUE_TO_REVIEW = "to_review"
FINAL_STATES = (ApplicationState.APPROVED, ApplicationState.REJECTED, ApplicationState.WITHDRAWN)


class DocumentType(models.TextChoices):
    NIB = "nib", _("Business identification number (NIB)")
    DEED_OF_ESTABLISHMENT = "deed_of_establishment", _("Deed of establishment")
    SOP_MANUAL = "sop_manual", _("Standard operating procedures (SOP) manual")
    TRAINING_PROGRAMME = "training_programme", _("Agent training and management programme")
    DATA_PROTECTION_POLICY = "data_protection_policy", _("Data protection and privacy policy")
    ORGANISATION_CHART = "organisation_chart", _("Organisation chart with supervisors")
    OTHER = "other", _("Other document")


# The documents the article asks for, one upload slot each: the registered business entity
# (its NIB and its deed), the SOPs, agent training and management, data protection and
# privacy, and the supervision of agents. (The certificate displayed at the premises is
# checked by the inspector, not uploaded.)
REQUIRED_DOCUMENT_TYPES = (
    DocumentType.NIB,
    DocumentType.DEED_OF_ESTABLISHMENT,
    DocumentType.SOP_MANUAL,
    DocumentType.TRAINING_PROGRAMME,
    DocumentType.DATA_PROTECTION_POLICY,
    DocumentType.ORGANISATION_CHART,
)

# What each required document is, shown under its name in the upload slot.
DOCUMENT_TYPE_HELP = {
    DocumentType.NIB: _(
        "The Nomor Induk Berusaha registration document issued through OSS (Online Single "
        "Submission)."
    ),
    DocumentType.DEED_OF_ESTABLISHMENT: _(
        "The deed of establishment (akta pendirian) with its latest amendment and the "
        "Ministry of Law's approval (SK Kemenkumham), in one file."
    ),
    DocumentType.SOP_MANUAL: _("The written procedures your agents and supervisors follow."),
    DocumentType.TRAINING_PROGRAMME: _(
        "How agents are trained, assessed and managed, with the training schedule."
    ),
    DocumentType.DATA_PROTECTION_POLICY: _(
        "How callers' personal data is collected, kept, protected and deleted."
    ),
    DocumentType.ORGANISATION_CHART: _("Who supervises the agents, by site and shift."),
}

# Types no longer offered, for the rows and audit events written before they were split
# (migration 0014 turned each "business_registration" document into an NIB and a deed).
LEGACY_DOCUMENT_TYPES = {
    "business_registration": _("Business registration (NIB and deed of establishment)"),
}


def document_type_label(value: str) -> str:
    """The name of a document type, also of a legacy one (its value when unknown)."""
    if value in DocumentType.values:
        return str(DocumentType(value).label)
    return str(LEGACY_DOCUMENT_TYPES.get(value, value))


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Not reviewed yet")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected: replace it")


INVOICE_DUE_DAYS = 14


class InvoiceKind(models.TextChoices):
    FEE = "fee", _("Registration fee")
    SUPPLEMENTARY = "supplementary", _("Supplementary invoice (fee difference)")
