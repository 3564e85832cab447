from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from applications.constants import (
    WITHDRAWABLE_STATES,
    ApplicationKind,
    ApplicationState,
    Direction,
    Sourcing,
)
from applications.querysets import ApplicationQuerySet
from registrasi.accounts.constants import Province

S = ApplicationState
STAFF_REVIEW = "applications.review_application"
STAFF_DECIDE = "applications.decide_application"
INSPECTOR_RECORD = "applications.record_inspection_outcome"


def is_member(instance, user):
    """Transition permission for the applicant's own transitions."""
    membership = getattr(user, "membership", None)
    return membership is not None and membership.organization_id == instance.organization_id


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
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)

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

    def __str__(self):
        return self.reference or _("Draft application #%(pk)s") % {"pk": self.pk}

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

    @transition(state, source=S.INSPECTION_PASSED, target=S.APPROVED, permission=STAFF_DECIDE)
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

    def __str__(self):
        return self.address.splitlines()[0] if self.address else ""
