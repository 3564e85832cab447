"""Reads that pages and tasks share. Each runs a fixed number of queries, however many
inspections there are."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from inspections.constants import ACTIVE_STATES, InspectionState
from inspections.models import Finding, Inspection
from registrasi.accounts.constants import INSPECTOR_GROUP
from registrasi.accounts.models import User


def _with_application(queryset):
    return queryset.select_related("application__organization", "inspector")


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the project's time zone (Asia/Jakarta)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


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
    today = today or timezone.localdate()
    tomorrow = _day_start(today + datetime.timedelta(days=1))
    rows = _with_application(
        Inspection.objects.filter(inspector=inspector, state__in=ACTIVE_STATES).filter(
            Q(window_end__gte=_day_start(today)) | Q(state=InspectionState.IN_PROGRESS)
        )
    ).order_by("window_start", "id")
    schedule = InspectorSchedule()
    for inspection in rows:
        (schedule.today if inspection.window_start < tomorrow else schedule.upcoming).append(
            inspection
        )
    return schedule


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
    start, end = _day_start(days[0]), _day_start(days[-1] + datetime.timedelta(days=1))
    inspectors = User.objects.filter(groups__name=INSPECTOR_GROUP, is_active=True)
    if inspector is not None:
        inspectors = inspectors.filter(pk=inspector.pk)
    inspectors = list(inspectors.distinct().order_by("full_name", "email"))
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
        by_day = [
            [i for i in own if timezone.localtime(i.window_start).date() == day] for day in days
        ]
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
