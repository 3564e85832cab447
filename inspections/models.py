import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from inspections.constants import (
    ACTIVE_STATES,
    SUBMITTED_STATES,
    FindingResult,
    InspectionState,
    Requirement,
)
from inspections.querysets import InspectionQuerySet, ThroughInspectionQuerySet
from registrasi import dates
from registrasi.accounts.constants import Province

S = InspectionState
SCHEDULE_INSPECTION = "inspections.schedule_inspection"
RECORD_FINDINGS = "inspections.record_findings"


def is_assigned_inspector(instance, user):
    """Only the inspector the inspection is assigned to, and only while they hold the
    inspector role, may start it and record its outcome."""
    return (
        user is not None
        and user.is_authenticated
        and instance.inspector_id == user.pk
        and user.has_perm(RECORD_FINDINGS)
    )


class Inspection(ConcurrentTransitionMixin, models.Model):
    """One visit of an inspector to the applicant's premises, for one application.

    An application may have several over its life (a failure, a cancellation); each keeps
    its findings. The state moves only through the transitions below, from services.
    """

    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("application"),
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("inspector"),
    )
    state = FSMField(
        _("state"), default=S.SCHEDULED, choices=S.choices, protected=True, db_index=True
    )
    window_start = models.DateTimeField(_("from"), db_index=True)
    window_end = models.DateTimeField(_("until"))
    contact_name = models.CharField(_("on-site contact"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=24, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    corrective_actions = models.TextField(_("corrective actions"), blank=True)
    cancel_reason = models.TextField(_("reason for cancellation"), blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["window_start", "id"]
        permissions = [
            ("schedule_inspection", _("Can schedule, reschedule and cancel inspections")),
            ("record_findings", _("Can record inspection findings")),
        ]
        indexes = [models.Index(fields=["inspector", "state", "window_start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gt=models.F("window_start")),
                name="inspections_window_ends_after_start",
            ),
            # One live inspection per application at a time: a second one is a reschedule.
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(state__in=list(ACTIVE_STATES)),
                name="inspections_one_active_per_application",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=S.CANCELLED) | ~models.Q(cancel_reason=""),
                name="inspections_cancel_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=S.FAILED) | ~models.Q(corrective_actions=""),
                name="inspections_failure_has_corrective_actions",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=list(SUBMITTED_STATES))
                | models.Q(submitted_at__isnull=False),
                name="inspections_submitted_has_time",
            ),
        ]

    def __str__(self):
        return _("Inspection #%(pk)s of %(application)s") % {
            "pk": self.pk,
            "application": self.application,
        }

    @property
    def requirements(self) -> list[str]:
        """This inspection's checklist: the finding rows made when it was scheduled, in form
        order. A requirement added to the regulation later is not on it (see
        inspections.services.inspection_schedule)."""
        return [finding.requirement for finding in self.checklist]

    @property
    def checklist(self) -> list["Finding"]:
        """The finding rows in form order (uses prefetched findings when there are some)."""
        return sorted(self.findings.all(), key=lambda f: (f.position, f.pk))

    @property
    def is_editable(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def opens_on(self) -> datetime.date:
        """The planned day (Jakarta date of the window's start): findings open that day."""
        return dates.local_date(self.window_start)

    def is_open(self, today: datetime.date | None = None) -> bool:
        """Whether findings may be recorded today (Jakarta): from the planned day on."""
        return (today or dates.today()) >= self.opens_on

    @property
    def is_submitted(self) -> bool:
        return self.state in SUBMITTED_STATES

    # Inspector ------------------------------------------------------------------------
    @transition(state, source=S.SCHEDULED, target=S.IN_PROGRESS, permission=is_assigned_inspector)
    def start(self):
        pass

    @transition(state, source=S.IN_PROGRESS, target=S.PASSED, permission=is_assigned_inspector)
    def submit_pass(self):
        pass

    @transition(state, source=S.IN_PROGRESS, target=S.FAILED, permission=is_assigned_inspector)
    def submit_fail(self):
        pass

    # Ministry desk --------------------------------------------------------------------
    @transition(state, source=S.SCHEDULED, target=S.CANCELLED, permission=SCHEDULE_INSPECTION)
    def cancel(self):
        pass


class ScheduleChange(models.Model):
    """One reschedule: the old and the new window, why, and who moved it."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="schedule_changes"
    )
    old_start = models.DateTimeField(_("old start"))
    old_end = models.DateTimeField(_("old end"))
    new_start = models.DateTimeField(_("new start"))
    new_end = models.DateTimeField(_("new end"))
    old_inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("previous inspector"),
    )
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)

    objects = ThroughInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("schedule change")
        verbose_name_plural = _("schedule changes")
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="inspections_schedulechange_has_reason"
            ),
        ]

    def __str__(self):
        old, new = self.old_start, self.new_start
        return f"{self.inspection_id}: {old:%Y-%m-%d %H:%M} → {new:%Y-%m-%d %H:%M}"


class Finding(models.Model):
    """The inspector's assessment of one requirement. `result` is blank while a draft."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    requirement = models.CharField(_("requirement"), max_length=32, choices=Requirement.choices)
    position = models.PositiveSmallIntegerField(default=0)
    result = models.CharField(_("result"), max_length=16, choices=FindingResult.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ThroughInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "requirement"], name="inspections_finding_one_per_requirement"
            ),
        ]

    def __str__(self):
        return str(self.get_requirement_display())


class Interview(models.Model):
    """Staff of the call center interviewed on site, one row per role."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="interviews")
    position = models.PositiveSmallIntegerField(default=0)
    role = models.CharField(_("role"), max_length=120)
    number_interviewed = models.PositiveIntegerField(_("number interviewed"), default=1)
    notes = models.TextField(_("notes"), blank=True)

    objects = ThroughInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number_interviewed__gte=1),
                name="inspections_interview_someone",
            ),
            models.CheckConstraint(
                condition=~models.Q(role=""), name="inspections_interview_has_role"
            ),
        ]

    def __str__(self):
        return f"{self.role} ({self.number_interviewed})"


def evidence_upload_to(instance, filename):
    """A random name: the original name never reaches the storage path."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"inspections/evidence/{uuid.uuid4().hex}.{ext}"


def report_upload_to(instance, filename):
    return f"inspections/reports/{uuid.uuid4().hex}.pdf"


class EvidencePhoto(models.Model):
    """A photo taken on site. Never changed or deleted after upload."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="photos")
    requirement = models.CharField(
        _("requirement"), max_length=32, choices=Requirement.choices, blank=True
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("content type"), max_length=64)
    caption = models.CharField(_("caption"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ThroughInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gt=0), name="inspections_photo_not_empty"
            ),
        ]

    def __str__(self):
        return self.original_name


class InspectionReport(models.Model):
    """The report PDF, rendered once after submission."""

    inspection = models.OneToOneField(Inspection, on_delete=models.PROTECT, related_name="report")
    file = models.FileField(_("file"), upload_to=report_upload_to, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    rendered_at = models.DateTimeField(_("rendered"), auto_now_add=True)

    objects = ThroughInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection report")
        verbose_name_plural = _("inspection reports")

    def __str__(self):
        return _("Report of inspection #%(pk)s") % {"pk": self.inspection_id}


class InspectorArea(models.Model):
    """A province an inspector covers. The ministry keeps the list in the admin; scheduling
    lists the inspectors who cover the premises' province first (inspections.selectors.
    assignment_candidates)."""

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="inspection_areas",
        verbose_name=_("inspector"),
    )
    province = models.CharField(_("province"), max_length=32, choices=Province.choices)

    class Meta:
        verbose_name = _("province covered by an inspector")
        verbose_name_plural = _("provinces covered by inspectors")
        ordering = ["inspector", "province"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspector", "province"], name="inspections_area_unique_province"
            ),
        ]

    def __str__(self):
        return f"{self.inspector} · {self.get_province_display()}"
