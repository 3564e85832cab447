import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from applications.constants import (
    FINAL_STATES,
    WITHDRAWABLE_STATES,
    ApplicationKind,
    ApplicationState,
    Direction,
    DocumentType,
    ReviewStatus,
    Sourcing,
)
from applications.kinds import kind_of
from applications.querysets import (
    STAFF_QUEUE,
    ApplicationQuerySet,
    DocumentVersionQuerySet,
    ThroughApplicationQuerySet,
)
from registrasi.accounts.constants import Province

S = ApplicationState
STAFF_REVIEW = "applications.review_application"
STAFF_DECIDE = "applications.decide_application"
INSPECTOR_RECORD = "applications.record_inspection_outcome"
RECORD_PAYMENT = "applications.add_payment"


def is_member(instance, user):
    """Transition permission for the applicant's own transitions: a member of the
    organization, or the ministry officer who entered this application at the office on the
    company's behalf (a walk-in, applications.walkin) while they remain ministry staff."""
    membership = getattr(user, "membership", None)
    if membership is not None and membership.organization_id == instance.organization_id:
        return True
    return entered_it(instance, user) and getattr(user, "is_ministry_staff", False)


def entered_it(instance, user):
    """The user entered this application at the office (a walk-in)."""
    entered_by_id = getattr(instance, "entered_by_id", None)
    return entered_by_id is not None and entered_by_id == getattr(user, "pk", None)


def may_approve(instance, user):
    """Approval permission, with separation of duties: the officer who entered a walk-in
    application on the company's behalf does not approve it; another officer does."""
    return user.has_perm(STAFF_DECIDE) and not entered_it(instance, user)


class Application(ConcurrentTransitionMixin, models.Model):
    """A request to the ministry: a new registration, a renewal, or a change report.

    The state moves only through the transitions below, called from services inside
    `transaction.atomic()`; ConcurrentTransitionMixin refuses a save whose state changed in
    the database since the row was read (two staff members, a double click).
    """

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("organization"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ApplicationKind.choices, default=ApplicationKind.NEW
    )
    reference = models.CharField(_("reference"), max_length=32, unique=True, null=True, blank=True)
    state = FSMField(_("state"), default=S.DRAFT, choices=S.choices, protected=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A walk-in: the ministry officer who entered the application at the office on the
    # company's behalf ("submitted at the office by"). Empty for applications made online.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered at the office by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    # When the application entered its current state: kept by registrasi.services.
    # run_transition, so the desk's queues sort by an indexed column instead of looking up
    # each row's audit events (issue 14).
    state_changed_at = models.DateTimeField(
        _("state changed"), default=timezone.now, editable=False
    )
    # The current version of one of its documents awaits the ministry's review. Stored (kept
    # by the document services: ApplicationQuerySet.refresh_documents_to_review) so that the
    # staff queue filters by an indexed column instead of a subquery per row.
    has_documents_to_review = models.BooleanField(
        _("documents to review"), default=False, editable=False
    )
    # Renewals and change reports: the certificate they renew or change. It stays valid until
    # this application is approved (certificates.services.application_approve reissues).
    basis_certificate = models.ForeignKey(
        "certificates.Certificate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up_applications",
        verbose_name=_("certificate renewed or changed"),
    )

    # Company details as declared in this application (prefilled from the organization).
    company_legal_name = models.CharField(_("legal name"), max_length=255, blank=True)
    company_address = models.TextField(_("registered address"), blank=True)
    company_province = models.CharField(
        _("province"), max_length=32, choices=Province.choices, blank=True
    )

    # Declared facts the fee and the inspection depend on.
    agent_seats = models.PositiveIntegerField(_("agent seats"), null=True, blank=True)
    direction = models.CharField(
        _("call direction"), max_length=16, choices=Direction.choices, blank=True
    )
    sourcing = models.CharField(_("operation"), max_length=16, choices=Sourcing.choices, blank=True)
    foreign_owned = models.BooleanField(_("foreign ownership"), default=False)

    # The steps of the guided flow the applicant went through (saved, or continued past):
    # a step shows as done only once it is complete AND confirmed (selectors.step_status), so
    # facts prefilled from the organization or a certificate are not ticked off unseen. Kept
    # by the drafting services; submitting confirms them all.
    confirmed_steps = models.JSONField(
        _("steps confirmed"), default=list, blank=True, editable=False
    )

    # What the ministry told the applicant: the last return note (what to fix) and the
    # reason of a rejection. The audit timeline keeps every earlier one.
    return_reason = models.TextField(_("changes requested"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        permissions = [
            ("review_application", _("Can review applications")),
            ("decide_application", _("Can accept, approve or reject applications")),
            ("record_inspection_outcome", _("Can record an inspection outcome")),
        ]
        indexes = [
            # The staff desk's default queue, in its order (selectors.staff_queue).
            models.Index(
                fields=["submitted_at", "id"],
                condition=STAFF_QUEUE,
                name="applications_app_staff_queue",
            ),
            # The desk's queues of one state, longest waiting first (certificates.desk).
            models.Index(
                fields=["state", "state_changed_at", "id"], name="applications_app_state_since"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agent_seats__isnull=True) | models.Q(agent_seats__gte=1),
                name="applications_app_seats_positive",
            ),
            # Once submitted, an application always has its reference.
            models.CheckConstraint(
                condition=models.Q(submitted_at__isnull=True) | models.Q(reference__isnull=False),
                name="applications_app_submitted_has_reference",
            ),
            models.CheckConstraint(
                condition=models.Q(reference__isnull=True) | models.Q(reference__startswith="REG-"),
                name="applications_app_reference_format",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=[S.DRAFT, S.WITHDRAWN])
                | models.Q(submitted_at__isnull=False),
                name="applications_app_beyond_draft_was_submitted",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=S.REJECTED) | ~models.Q(rejection_reason=""),
                name="applications_app_rejection_has_reason",
            ),
            # One open renewal or change report per certificate at a time (two clicks, two
            # members at once): the services check first, this backs them up.
            models.UniqueConstraint(
                fields=["basis_certificate"],
                condition=models.Q(basis_certificate__isnull=False)
                & ~models.Q(state__in=FINAL_STATES),
                name="applications_app_one_open_follow_up",
            ),
            # A new registration renews or changes nothing.
            models.CheckConstraint(
                condition=~models.Q(kind=ApplicationKind.NEW)
                | models.Q(basis_certificate__isnull=True),
                name="applications_app_new_has_no_basis",
            ),
        ]

    def __str__(self):
        return self.reference or _("Draft application #%(pk)s") % {"pk": self.pk}

    @property
    def rules(self):
        """What differs by kind (applications.kinds): documents, fee, inspection, dating and
        wording. Templates ask `application.rules.<rule>`."""
        return kind_of(self)

    @property
    def is_follow_up(self):
        """A renewal or a change report (it continues an existing certificate)."""
        return self.rules.follows_certificate

    @property
    def invoice(self):
        """The invoice that matters now: the open one (to pay), else the newest not cancelled
        (paid); None before the first submission. Uses prefetched `invoices` when present."""
        if self.pk is None:
            return None
        invoices = [i for i in self.invoices.all() if not i.is_cancelled]
        open_ = [i for i in invoices if i.is_open]
        if open_:
            return open_[0]
        return max(invoices, key=lambda i: (i.issued_at, i.pk), default=None)

    # Applicant transitions -------------------------------------------------------------
    @transition(state, source=[S.DRAFT, S.RETURNED], target=S.SUBMITTED, permission=is_member)
    def submit(self):
        pass

    @transition(
        state, source=S.INSPECTION_FAILED, target=S.AWAITING_INSPECTION, permission=is_member
    )
    def resubmit(self):
        pass

    @transition(state, source=list(WITHDRAWABLE_STATES), target=S.WITHDRAWN, permission=is_member)
    def withdraw(self):
        pass

    # Ministry desk ---------------------------------------------------------------------
    @transition(state, source=S.SUBMITTED, target=S.UNDER_REVIEW, permission=STAFF_REVIEW)
    def start_review(self):
        pass

    @transition(state, source=S.UNDER_REVIEW, target=S.RETURNED, permission=STAFF_REVIEW)
    def return_for_changes(self):
        pass

    @transition(state, source=S.UNDER_REVIEW, target=S.AWAITING_INSPECTION, permission=STAFF_DECIDE)
    def accept(self):
        pass

    @transition(
        state,
        source=[S.UNDER_REVIEW, S.INSPECTION_PASSED],
        target=S.REJECTED,
        permission=STAFF_DECIDE,
    )
    def reject(self):
        pass

    @transition(
        state, source=S.AWAITING_INSPECTION, target=S.INSPECTION_SCHEDULED, permission=STAFF_REVIEW
    )
    def schedule(self):
        pass

    @transition(
        state, source=S.INSPECTION_SCHEDULED, target=S.AWAITING_INSPECTION, permission=STAFF_REVIEW
    )
    def unschedule(self):
        """An inspection was cancelled: the application waits for a new date."""

    @transition(state, source=S.INSPECTION_PASSED, target=S.APPROVED, permission=may_approve)
    def approve(self):
        pass

    # Inspection outcome ----------------------------------------------------------------
    @transition(
        state,
        source=S.INSPECTION_SCHEDULED,
        target=S.INSPECTION_PASSED,
        permission=INSPECTOR_RECORD,
    )
    def record_pass(self):
        pass

    @transition(
        state,
        source=S.INSPECTION_SCHEDULED,
        target=S.INSPECTION_FAILED,
        permission=INSPECTOR_RECORD,
    )
    def record_fail(self):
        pass


class ApplicationSite(models.Model):
    """One premises the call center operates from, as declared."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="sites")
    address = models.TextField(_("address"))
    province = models.CharField(_("province"), max_length=32, choices=Province.choices)
    agent_seats = models.PositiveIntegerField(_("agent seats at this site"), default=0)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(address=""), name="applications_site_address_required"
            ),
        ]

    def __str__(self):
        return self.address.splitlines()[0] if self.address else ""


class Document(models.Model):
    """One document the applicant supplies, of one type. Each upload is a DocumentVersion;
    the newest is the current one. Required types have one Document per application;
    "other" documents may be many."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    document_type = models.CharField(_("type"), max_length=32, choices=DocumentType.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ThroughApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "document_type"],
                condition=~models.Q(document_type=DocumentType.OTHER),
                name="applications_document_one_per_required_type",
            ),
        ]

    def __str__(self):
        return str(self.get_document_type_display())

    @property
    def current_version(self):
        """The newest version (uses prefetched versions when present; they are newest first)."""
        versions = list(self.versions.all())
        return versions[0] if versions else None


def document_upload_to(instance, filename):
    """A random name: the original name never reaches the storage path."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"documents/{uuid.uuid4().hex}.{ext}"


class DocumentVersion(models.Model):
    """One uploaded file. Never changed after upload except for the ministry's review, never
    deleted; a re-upload adds the next number."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    review_status = models.CharField(
        _("review"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    review_reason = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    # Set on the versions a renewal or change report carries over from the certificate's
    # application: the same stored file (nothing is copied or deleted), the same review.
    # Empty for files uploaded to this application.
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("carried over from"),
    )

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="applications_docversion_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="applications_docversion_number_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(size__gt=0), name="applications_docversion_not_empty"
            ),
            models.CheckConstraint(
                condition=~models.Q(review_status=ReviewStatus.REJECTED)
                | ~models.Q(review_reason=""),
                name="applications_docversion_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(review_status=ReviewStatus.PENDING)
                | models.Q(reviewed_at__isnull=False),
                name="applications_docversion_reviewed_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.original_name} (v{self.number})"

    @property
    def is_rejected(self):
        return self.review_status == ReviewStatus.REJECTED


# The fee rules, invoices and payments live in applications.fee_models; billing codes and the
# payments reported for them in applications.billing.models.
from applications.billing.models import (  # noqa: E402,F401
    BillingCode,
    BillingPayment,
    CallbackReceipt,
)
from applications.fee_models import FeeSchedule, FeeTier, Invoice, Payment  # noqa: E402,F401
