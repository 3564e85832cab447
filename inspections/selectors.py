"""Reads that pages and tasks share. Each runs a fixed number of queries, however many
inspections there are."""

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from applications.models import Application, DocumentVersion
from inspections.constants import ACTIVE_STATES, SUBMITTED_STATES, InspectionState
from inspections.models import Finding, Inspection, InspectorArea
from registrasi import dates
from registrasi.accounts.constants import INSPECTOR_GROUP
from registrasi.accounts.models import User
from registrasi.audit.models import AuditEvent
from registrasi.audit.notes import render_note


def _with_application(queryset):
    return queryset.select_related("application__organization", "inspector")


def active_inspectors():
    """Every active member of the inspector group, by name: the inspectors staff choose from."""
    return User.objects.filter(groups__name=INSPECTOR_GROUP, is_active=True).order_by(
        "full_name", "email"
    )


@dataclass
class InspectorSchedule:
    today: list = field(default_factory=list)
    upcoming: list = field(default_factory=list)

    @property
    def all(self) -> list:
        return [*self.today, *self.upcoming]

    def __iter__(self):
        return iter(self.all)

    def __len__(self):
        return len(self.today) + len(self.upcoming)


def inspector_schedule(*, inspector, today: datetime.date | None = None) -> InspectorSchedule:
    """The inspector's scheduled and in-progress inspections from `today` on (local date),
    split into today's and the upcoming ones, earliest first. One query.

    An in-progress inspection from an earlier day that was never submitted also shows under
    today: it still needs the inspector.
    """
    today = today or dates.today()
    tomorrow = dates.day_start(today + datetime.timedelta(days=1))
    rows = _with_application(
        Inspection.objects.filter(inspector=inspector, state__in=ACTIVE_STATES).filter(
            Q(window_end__gte=dates.day_start(today)) | Q(state=InspectionState.IN_PROGRESS)
        )
    ).order_by("window_start", "id")
    schedule = InspectorSchedule()
    for inspection in rows:
        (schedule.today if inspection.window_start < tomorrow else schedule.upcoming).append(
            inspection
        )
    return schedule


def inspector_done(*, inspector):
    """The inspector's submitted (passed or failed) inspections, the latest first: one query
    per page of it (the view paginates)."""
    return _with_application(
        Inspection.objects.filter(inspector=inspector, state__in=SUBMITTED_STATES)
    ).order_by("-submitted_at", "-id")


@dataclass
class EarlierInspection:
    """An inspection submitted before the current one, and what the applicant did after it."""

    inspection: Inspection
    response: AuditEvent | None = None  # the resubmission (its note says what was fixed)
    new_versions: list = field(default_factory=list)  # documents uploaded after it

    @property
    def response_note(self) -> str:
        return render_note(self.response) if self.response is not None else ""


def earlier_inspections(*, inspection) -> list[EarlierInspection]:
    """The application's inspections submitted before `inspection` was scheduled, the latest
    first, each with its findings and corrective actions, the applicant's resubmission and the
    document versions uploaded between it and the next inspection. Four queries, however many
    there are."""
    earlier = list(
        Inspection.objects.filter(
            application_id=inspection.application_id,
            state__in=SUBMITTED_STATES,
            submitted_at__lt=inspection.created_at,
        )
        .exclude(pk=inspection.pk)
        .select_related("inspector")
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.order_by("position", "id")))
        .order_by("submitted_at", "id")
    )
    if not earlier:
        return []
    resubmissions = list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            object_id=str(inspection.application_id),
            action="resubmit",
            created_at__gt=earlier[0].submitted_at,
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
    versions = list(
        DocumentVersion.objects.filter(
            document__application_id=inspection.application_id,
            uploaded_at__gt=earlier[0].submitted_at,
            uploaded_at__lt=inspection.created_at,
        )
        .select_related("document")
        .order_by("uploaded_at", "id")
    )
    # What the applicant did after an inspection: until the next inspection was scheduled.
    ends = [later.created_at for later in earlier[1:]] + [inspection.created_at]
    history = []
    for previous, end in zip(earlier, ends, strict=True):
        start = previous.submitted_at
        history.append(
            EarlierInspection(
                inspection=previous,
                response=next((e for e in resubmissions if start < e.created_at < end), None),
                new_versions=[v for v in versions if start < v.uploaded_at < end],
            )
        )
    return history[::-1]


@dataclass
class InspectorWeek:
    inspector: object
    inspections: list
    by_day: list  # one list of inspections per day of the week, aligned with StaffWeek.days


@dataclass
class StaffWeek:
    week_start: datetime.date
    days: list
    rows: list

    @property
    def previous_week(self) -> datetime.date:
        return self.week_start - datetime.timedelta(days=7)

    @property
    def next_week(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=7)


def staff_week(*, week_start: datetime.date, inspector=None) -> StaffWeek:
    """Seven days from `week_start`: every inspector (or only `inspector`) with their
    inspections that week (cancelled ones left out), per day. Two queries."""
    days = [week_start + datetime.timedelta(days=n) for n in range(7)]
    start, end = dates.day_start(days[0]), dates.day_start(days[-1] + datetime.timedelta(days=1))
    inspectors = active_inspectors()
    if inspector is not None:
        inspectors = inspectors.filter(pk=inspector.pk)
    inspectors = list(inspectors.distinct())
    inspections = (
        _with_application(Inspection.objects.exclude(state=InspectionState.CANCELLED))
        .filter(inspector__in=[i.pk for i in inspectors])
        .overlapping(start, end)
        .order_by("window_start", "id")
    )
    per_inspector = {i.pk: [] for i in inspectors}
    for inspection in inspections:
        per_inspector[inspection.inspector_id].append(inspection)
    rows = []
    for person in inspectors:
        own = per_inspector[person.pk]
        by_day = [[i for i in own if dates.local_date(i.window_start) == day] for day in days]
        rows.append(InspectorWeek(inspector=person, inspections=own, by_day=by_day))
    return StaffWeek(week_start=week_start, days=days, rows=rows)


def overdue_inspections(*, now: datetime.datetime | None = None):
    """Scheduled or in-progress inspections whose window has ended with nothing submitted,
    oldest first."""
    now = now or timezone.now()
    return _with_application(
        Inspection.objects.filter(state__in=ACTIVE_STATES, window_end__lt=now)
    ).order_by("window_end", "id")


def inspections_for_application(*, application):
    """Every inspection the application has had, newest first, with what the pages show."""
    return (
        Inspection.objects.filter(application=application)
        .select_related("inspector", "scheduled_by", "report")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.order_by("position", "id")),
            "interviews",
            "photos",
            "schedule_changes__changed_by",
            "schedule_changes__old_inspector",
        )
        .order_by("-created_at", "-id")
    )


def inspection_detail(*, inspection_id, user):
    """One inspection the user may see, with everything its page shows (or DoesNotExist)."""
    return (
        Inspection.objects.visible_to(user)
        .select_related("application__organization", "inspector", "scheduled_by")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.order_by("position", "id")),
            "interviews",
            "photos",
            "schedule_changes__changed_by",
        )
        .get(pk=inspection_id)
    )


def report_context(inspection) -> dict:
    """What the report PDF prints."""
    inspection = (
        Inspection.objects.select_related("application__organization", "inspector", "scheduled_by")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.order_by("position", "id")),
            "interviews",
            "photos",
            "schedule_changes",
        )
        .get(pk=inspection.pk)
    )
    application = inspection.application
    return {
        "inspection": inspection,
        "application": application,
        "organization": application.organization,
        "company": application.company_legal_name or application.organization.legal_name,
        "findings": list(inspection.findings.all()),
        "interviews": list(inspection.interviews.all()),
        "photos": list(inspection.photos.all()),
        "schedule_changes": list(inspection.schedule_changes.all()),
        "passed": inspection.state == InspectionState.PASSED,
    }


@dataclass(frozen=True)
class Candidate:
    """An inspector as the scheduling form offers them for one application and window."""

    inspector: User
    covers: bool  # covers a province of the premises
    free: bool  # no active inspection overlapping the window
    week_load: int  # inspections (not cancelled) in the window's week, Monday to Sunday

    @property
    def recommended(self) -> bool:
        return self.covers and self.free


def premises_provinces(application) -> set[str]:
    """Where the inspection takes place: the declared sites' provinces, else the company's."""
    provinces = {site.province for site in application.sites.all() if site.province}
    return provinces or ({application.company_province} - {""})


def assignment_candidates(*, application, window_start, window_end) -> list[Candidate]:
    """Every active inspector: those who cover the premises' province and are free in the
    window first, then the least loaded that week, then by name. Five queries (premises,
    inspectors, areas, clashes, the week's load) however many inspectors there are."""
    inspectors = list(active_inspectors().distinct())
    covering = set(
        InspectorArea.objects.filter(province__in=premises_provinces(application)).values_list(
            "inspector_id", flat=True
        )
    )
    busy = set(
        Inspection.objects.active()
        .overlapping(window_start, window_end)
        .values_list("inspector_id", flat=True)
    )
    week_start = dates.day_start(_week_monday(window_start))
    load = dict(
        Inspection.objects.exclude(state=InspectionState.CANCELLED)
        .filter(window_start__gte=week_start, window_start__lt=week_start + WEEK)
        .values("inspector_id")
        .annotate(n=Count("id"))
        .values_list("inspector_id", "n")
    )
    candidates = [
        Candidate(
            inspector=user,
            covers=user.pk in covering,
            free=user.pk not in busy,
            week_load=load.get(user.pk, 0),
        )
        for user in inspectors
    ]
    return sorted(candidates, key=lambda c: (not c.covers, not c.free, c.week_load))


WEEK = datetime.timedelta(days=7)


def _week_monday(moment) -> datetime.date:
    day = dates.local_date(moment)
    return day - datetime.timedelta(days=day.weekday())


def missing_results(inspection) -> list[str]:
    """The requirements (display names) that still have no result."""
    return [
        str(finding.get_requirement_display())
        for finding in inspection.findings.all()
        if not finding.result
    ]
