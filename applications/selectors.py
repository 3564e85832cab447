"""Reads that pages share. Each returns everything its page needs in a fixed number of
queries, whatever the number of rows."""

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.changes import differences, has_new_documents
from applications.constants import (
    DOCUMENT_TYPE_HELP,
    FINAL_STATES,
    QUEUE_TO_REVIEW,
    REQUIRED_DOCUMENT_TYPES,
    WAITING_ON_APPLICANT_STATES,
    ApplicationKind,
    ApplicationState,
    DocumentType,
    ReviewStatus,
)
from applications.documents import mark_shared_files
from applications.fees import fee_change, quote_for
from applications.models import Application, Document, DocumentVersion, Invoice, Payment
from applications.querysets import DOCUMENTS_TO_REVIEW, STAFF_QUEUE
from registrasi.audit.selectors import timeline_for
from registrasi.money import format_rupiah

S = ApplicationState
# States in which the application page says what blocks scheduling or approval.
BLOCKABLE_STATES = (
    S.AWAITING_INSPECTION,
    S.INSPECTION_SCHEDULED,
    S.INSPECTION_PASSED,
    S.INSPECTION_FAILED,
)

__all__ = [
    "applicant_dashboard",
    "application_detail",
    "invoice_is_paid",
    "next_step",
    "readiness_blockers",
    "staff_queue",
    "step_status",
    "submission_problems",
    "unaccepted_documents",
    "waits_on_applicant",
]


def _invoice_of(application):
    """The open invoice, else the newest paid one (Application.invoice; prefetch invoices)."""
    return application.invoice


def next_step(application, documents_waiting=False) -> str:
    """What happens next, told to the applicant. `documents_waiting`: a required document's
    current version is not accepted yet, so the inspection waits for the ministry's review
    (the page lists readiness_blockers)."""
    state = application.state
    invoice = _invoice_of(application)
    unpaid = invoice is not None and not invoice.is_paid
    if state == S.AWAITING_INSPECTION and documents_waiting and not unpaid:
        return _(
            "The inspection can be scheduled once the ministry has accepted your documents; "
            "see what is still open below."
        )
    if state == S.DRAFT:
        return str(application.rules.draft_next_step)
    if state == S.RETURNED:
        return _("Make the requested changes, replace rejected documents and submit again.")
    if state == S.SUBMITTED:
        if unpaid:
            return _("Pay the invoice; the ministry will start reviewing your application.")
        return _("Wait for the ministry to start reviewing your application.")
    if state == S.UNDER_REVIEW:
        if unpaid:
            return _("Pay the invoice while the ministry reviews your documents.")
        return _("The ministry is reviewing your documents.")
    if state == S.AWAITING_INSPECTION:
        if unpaid:
            return _("Pay the invoice: the inspection can be scheduled only after payment.")
        return _("Wait for the ministry to schedule the inspection.")
    if state == S.INSPECTION_SCHEDULED:
        return _("Prepare your premises for the scheduled inspection.")
    if state == S.INSPECTION_PASSED:
        return _("The inspection passed; the ministry will decide on your registration.")
    if state == S.INSPECTION_FAILED:
        return _("Fix the findings of the inspection and resubmit for a new inspection.")
    if state == S.APPROVED:
        return str(application.rules.approved_next_step)
    if state == S.REJECTED:
        return _("The application was rejected; see the reason below.")
    if state == S.WITHDRAWN:
        return _("The application was withdrawn.")
    return ""


def waits_on_applicant(application) -> bool:
    if application.state in WAITING_ON_APPLICANT_STATES:
        return True
    invoice = _invoice_of(application)
    return (
        invoice is not None
        and not invoice.is_paid
        and application.state in (S.SUBMITTED, S.UNDER_REVIEW, S.AWAITING_INSPECTION)
    )


@dataclass
class DashboardRow:
    application: Application
    next_step: str
    waits_on_applicant: bool

    @property
    def state(self):
        return self.application.state

    @property
    def state_display(self):
        return self.application.get_state_display()


def applicant_dashboard(*, user) -> list[DashboardRow]:
    """The user's organization's applications, newest first, with the next step."""
    membership = user.membership if user.is_authenticated else None
    if membership is None:
        return []
    applications = (
        Application.objects.filter(organization_id=membership.organization_id)
        .annotate(documents_to_review=_documents_to_review())
        .prefetch_related("invoices")
        .order_by("-created_at", "-pk")
    )
    return [
        DashboardRow(a, next_step(a, a.documents_to_review), waits_on_applicant(a))
        for a in applications
    ]


def _documents_to_review():
    """True for an application with a document whose current (newest) version the ministry
    has not reviewed yet, in a state where staff review documents (the stored flag)."""
    return ExpressionWrapper(DOCUMENTS_TO_REVIEW, BooleanField())


def staff_queue(*, filters: dict | None = None):
    """Applications for the ministry desk, oldest submission first.

    filters: state ("" -> submitted and under review, and every application with a document
    to review; "all" -> everything submitted at least once; "to_review" -> documents to
    review), kind, province (company province), min_age_days / max_age_days (days since
    submission). Each row carries `documents_to_review`.
    """
    filters = filters or {}
    qs = Application.objects.filter(submitted_at__isnull=False).annotate(
        documents_to_review=_documents_to_review()
    )
    state = filters.get("state") or ""
    if state == "all":
        pass
    elif state == QUEUE_TO_REVIEW:
        # Implies the condition of the queue's partial index: the database walks it.
        qs = qs.filter(DOCUMENTS_TO_REVIEW)
    elif state in S.values:
        qs = qs.filter(state=state)
    else:
        qs = qs.filter(STAFF_QUEUE)  # the partial index's own condition
    if filters.get("kind") in ApplicationKind.values:
        qs = qs.filter(kind=filters["kind"])
    if filters.get("province"):
        qs = qs.filter(company_province=filters["province"])
    now = timezone.now()
    min_age = _int_or_none(filters.get("min_age_days"))
    max_age = _int_or_none(filters.get("max_age_days"))
    if min_age is not None:
        qs = qs.filter(submitted_at__lte=now - datetime.timedelta(days=min_age))
    if max_age is not None:
        qs = qs.filter(submitted_at__gte=now - datetime.timedelta(days=max_age))
    return (
        qs.select_related("organization", "basis_certificate")
        .prefetch_related("invoices")
        .order_by("submitted_at", "pk")
    )


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@dataclass
class DocumentSlot:
    """One line of the documents list: a required type (maybe without a document yet) or an
    "other" document, with its versions newest first."""

    document_type: str
    label: str
    required: bool
    document: Document | None = None
    versions: list = field(default_factory=list)
    # The other slots whose current version is the same stored file (documents.mark_shared_files).
    shares_file_with: str = ""

    @property
    def help(self):
        return DOCUMENT_TYPE_HELP.get(self.document_type, "")

    @property
    def current(self):
        return self.versions[0] if self.versions else None

    @property
    def needs_upload(self):
        current = self.current
        if self.required and current is None:
            return True
        return current is not None and current.review_status == ReviewStatus.REJECTED


@dataclass
class ApplicationDetail:
    application: Application
    documents: list  # [DocumentSlot], required types first in their fixed order
    invoice: Invoice | None  # the open invoice, else the newest paid one
    payments: list
    sites: list
    timeline: list
    fee: object
    next_step: str
    waits_on_applicant: bool
    return_reason: str
    rejected_versions: list  # current versions the ministry rejected, to replace
    missing: list = field(default_factory=list)  # what blocks submission (draft/returned)
    basis_certificate: object = None  # renewals and change reports: the certificate
    differences: list = field(default_factory=list)  # change reports: [changes.Difference]
    approval_effect: str = ""  # before a decision: what approval would do (applications.kinds)
    invoices: list = field(default_factory=list)  # every invoice, cancelled too, newest first
    fee_change: object = None  # draft/returned: fees.FeeChange (what submitting does)
    blockers: list = field(default_factory=list)  # what blocks scheduling or approval


def approval_effect(application, basis=None, date_format="DATE_FORMAT") -> str:
    """What approving `application` today would do, in the words of its kind; "" once it is
    decided (approved, rejected, withdrawn)."""
    if application.state in FINAL_STATES:
        return ""
    return application.rules.approval_effect(
        issued_on=timezone.localdate(), basis=basis, date_format=date_format
    )


def application_detail(*, application) -> ApplicationDetail:
    """Everything the application page shows, in a fixed number of queries."""
    versions = DocumentVersion.objects.select_related("uploaded_by", "reviewed_by").order_by(
        "-number"
    )
    documents = list(
        Document.objects.filter(application=application)
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("id")
    )
    slots = []
    by_type = {d.document_type: d for d in documents if d.document_type != DocumentType.OTHER}
    # A kind that carries documents over needs only the documents concerned.
    required = application.rules.needs_every_document or not application.basis_certificate_id
    for document_type in REQUIRED_DOCUMENT_TYPES:
        doc = by_type.get(document_type)
        slots.append(
            DocumentSlot(
                document_type=document_type,
                label=str(DocumentType(document_type).label),
                required=required,
                document=doc,
                versions=list(doc.versions.all()) if doc else [],
            )
        )
    for doc in documents:
        if doc.document_type == DocumentType.OTHER:
            slots.append(
                DocumentSlot(
                    document_type=doc.document_type,
                    label=str(DocumentType.OTHER.label),
                    required=False,
                    document=doc,
                    versions=list(doc.versions.all()),
                )
            )
    mark_shared_files(slots)
    invoices = list(
        Invoice.objects.filter(application=application).prefetch_related(
            Prefetch("payments", queryset=Payment.objects.select_related("recorded_by"))
        )
    )
    application._prefetched_objects_cache = {
        **getattr(application, "_prefetched_objects_cache", {}),
        "invoices": invoices,
    }
    payments = [p for i in invoices for p in i.payments.all()]
    rejected = [
        s.current for s in slots if s.current and s.current.review_status == ReviewStatus.REJECTED
    ]
    editable = application.state in (S.DRAFT, S.RETURNED)
    basis = application.basis_certificate if application.basis_certificate_id else None
    blockers = readiness_blockers(application) if application.state in BLOCKABLE_STATES else []
    quote = quote_for(application)
    return ApplicationDetail(
        application=application,
        documents=slots,
        invoice=application.invoice,
        invoices=invoices,
        fee_change=fee_change(application, quote=quote, invoices=invoices)
        if editable and invoices
        else None,
        blockers=blockers,
        payments=payments,
        sites=list(application.sites.all()),
        timeline=list(timeline_for(application)),
        fee=quote,
        next_step=next_step(application, documents_waiting=bool(blockers)),
        waits_on_applicant=waits_on_applicant(application),
        return_reason=application.return_reason if application.state == S.RETURNED else "",
        rejected_versions=rejected,
        missing=submission_problems(application) if editable else [],
        basis_certificate=basis,
        differences=differences(application) if application.rules.reports_changes else [],
        approval_effect=approval_effect(application, basis),
    )


# What is still missing ----------------------------------------------------------------------
def _current_versions(application):
    """{document_type: current version} for the required types (newest version per type)."""
    current = {}
    versions = DocumentVersion.objects.filter(
        document__application=application,
        document__document_type__in=REQUIRED_DOCUMENT_TYPES,
    ).select_related("document")
    for version in versions.order_by("document_id", "-number"):
        current.setdefault(version.document.document_type, version)
    return current


def _carries_documents(application):
    """A follow-up whose kind needs only the documents concerned: the others were carried over
    from its certificate's application (applications.kinds)."""
    return not application.rules.needs_every_document and application.basis_certificate_id


# The facts each step of the guided flow asks for: submission_problems names the missing
# ones, step_status ticks a step off when none is missing (and the applicant confirmed it).
STEP_FACTS = {
    "company": {
        "company_legal_name": gettext_lazy("the company's legal name"),
        "company_address": gettext_lazy("the registered address"),
        "company_province": gettext_lazy("the province"),
    },
    "operation": {
        "agent_seats": gettext_lazy("the number of agent seats"),
        "direction": gettext_lazy("the call direction"),
        "sourcing": gettext_lazy("in-house or outsourced operation"),
    },
}


def _missing_facts(application, step):
    return [label for name, label in STEP_FACTS[step].items() if not getattr(application, name)]


def step_status(*, detail: ApplicationDetail) -> dict[str, bool]:
    """Which steps of the guided flow are done, from what `detail` already read (the same
    facts and documents submission_problems asks for, and Application.confirmed_steps): the
    step list and "continue". A step is done when what it asks for is there AND the applicant
    went through it, so that prefilled facts (the organization's profile, the certificate of a
    renewal or change report) are not ticked off unseen:
    - company, operation: the facts (and a site) declared, and the step saved;
    - documents: nothing to upload, and either an upload of the applicant's own or the step
      continued past (documents carried over from a certificate must be looked at);
    - fee: company and operation done, and the fee page continued past since the fee last
      changed (services.drafting takes the confirmation back when it changes);
    - review: never (submitting ends the flow)."""
    application = detail.application
    confirmed = set(application.confirmed_steps or ())
    company = "company" in confirmed and not _missing_facts(application, "company")
    operation = (
        "operation" in confirmed
        and not _missing_facts(application, "operation")
        and bool(detail.sites)
    )
    uploaded = any(
        slot.current is not None and slot.current.carried_from_id is None
        for slot in detail.documents
    )
    documents = not any(slot.needs_upload for slot in detail.documents) and (
        uploaded or "documents" in confirmed
    )
    return {
        "company": company,
        "operation": operation,
        "documents": documents,
        "fee": company and operation and "fee" in confirmed,
        "review": False,
    }


def submission_problems(application) -> list[str]:
    """What must still be supplied before the application can be submitted (translated)."""
    problems = [*_missing_facts(application, "company"), *_missing_facts(application, "operation")]
    if not application.sites.exists():
        problems.append(_("at least one site"))
    current = _current_versions(application)
    reports_changes = application.rules.reports_changes and application.basis_certificate_id
    if reports_changes and not (differences(application) or has_new_documents(application)):
        problems.append(
            _(
                "the change itself: change at least one declared fact or site, or upload a new "
                "version of a document concerned"
            )
        )
    for document_type in REQUIRED_DOCUMENT_TYPES:
        version = current.get(document_type)
        label = DocumentType(document_type).label
        if version is None:
            if not _carries_documents(application):
                problems.append(_("document “%(type)s”") % {"type": label})
        elif version.review_status == ReviewStatus.REJECTED:
            problems.append(
                _("a new version of “%(type)s” (the current one was rejected)") % {"type": label}
            )
    return [str(p) for p in problems]


def _documents_not_accepted(application) -> list[tuple[str, DocumentVersion | None]]:
    """[(required type, its current version or None)] for each required document whose
    current version is not accepted: the one rule behind accepting for inspection,
    scheduling and approval."""
    current = _current_versions(application)
    # A kind that carries documents needs only those it has (carried over or new) accepted.
    types = [
        t for t in REQUIRED_DOCUMENT_TYPES if t in current or not _carries_documents(application)
    ]
    return [
        (t, current.get(t))
        for t in types
        if t not in current or current[t].review_status != ReviewStatus.ACCEPTED
    ]


def unaccepted_documents(application) -> list[str]:
    """Required document types whose current version is not accepted (translated labels)."""
    return [str(DocumentType(t).label) for t, _version in _documents_not_accepted(application)]


def _document_blocker(document_type, version) -> str:
    label = DocumentType(document_type).label
    if version is None:
        return _("“%(type)s” has not been uploaded") % {"type": label}
    if version.review_status == ReviewStatus.REJECTED:
        return _(
            "“%(type)s” version %(number)s was rejected: the applicant must upload a new version"
        ) % {"type": label, "number": version.number}
    return _("“%(type)s” version %(number)s has not been reviewed by the ministry yet") % {
        "type": label,
        "number": version.number,
    }


def readiness_blockers(application) -> list[str]:
    """What stops the ministry from scheduling the inspection or approving (translated, one
    line each; empty when nothing does): an invoice not paid, a required document whose
    current version is not accepted (missing, not reviewed yet, or rejected). Pages show
    these lines; refuse_unless_ready refuses with them."""
    blockers = []
    invoices = list(Invoice.objects.filter(application=application, cancelled_at__isnull=True))
    if not invoices:
        blockers.append(_("no fee invoice has been issued"))
    for invoice in invoices:
        if not invoice.is_paid:
            blockers.append(
                _("invoice %(number)s (%(amount)s) is not paid yet")
                % {"number": invoice.number, "amount": format_rupiah(invoice.amount)}
            )
    for document_type, version in _documents_not_accepted(application):
        blockers.append(_document_blocker(document_type, version))
    return [str(b) for b in blockers]


def invoice_is_paid(application) -> bool:
    """Whether the application's fee is paid: an invoice was issued and every invoice not
    cancelled (the fee, a supplementary one) is paid. Asks the database."""
    counts = Invoice.objects.filter(application=application, cancelled_at__isnull=True).aggregate(
        issued=Count("pk"), unpaid=Count("pk", filter=Q(paid_at__isnull=True))
    )
    return counts["issued"] > 0 and counts["unpaid"] == 0
