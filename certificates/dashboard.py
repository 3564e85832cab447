"""The staff dashboard: the desk's numbers, each table from one aggregate query, each drawn as
an SVG bar chart on the server (no script) beside its table.

Filters: province (the application's company province, the certificate's province) and a
period (a submission, issue, inspection, transition or sanction date from .. to, inclusive;
the last twelve months by default). Certificates expiring look ahead a year from today,
whatever the period. Lives in certificates because it reads all three apps.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django import forms
from django.db.models import CharField, Count, OuterRef, Q, Subquery
from django.db.models.functions import Cast, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.constants import ApplicationKind, ApplicationState
from applications.models import Application
from certificates.constants import CertificateState, SanctionKind
from certificates.models import Certificate, Sanction
from inspections.constants import FindingResult, InspectionState, Requirement
from inspections.models import Finding, Inspection
from registrasi.accounts.constants import Province
from registrasi.audit.models import AuditEvent
from registrasi.formats.display import format_day

DEFAULT_PERIOD_DAYS = 365
MAX_PERIOD_DAYS = 10 * 366
# Dates a period may name (the first and last day +1 must stay representable, also in UTC).
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)


# Filters ------------------------------------------------------------------------------------


class DashboardFilterForm(forms.Form):
    province = forms.ChoiceField(
        label=gettext_lazy("Province"),
        required=False,
        choices=[("", gettext_lazy("All provinces")), *Province.choices],
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        for day in (start, end):
            if day and not EARLIEST <= day <= LATEST:
                raise forms.ValidationError(
                    _("Choose dates between %(start)s and %(end)s.")
                    % {"start": format_day(EARLIEST), "end": format_day(LATEST)}
                )
        if start and end and start > end:
            raise forms.ValidationError(_("The period must start before it ends."))
        if start and end and (end - start).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose a period of at most ten years."))
        return data


@dataclass
class Filters:
    province: str
    date_from: datetime.date
    date_to: datetime.date

    @property
    def start(self) -> datetime.datetime:
        return _day_start(self.date_from)

    @property
    def end(self) -> datetime.datetime:
        """The first moment after the period (exclusive upper bound)."""
        return _day_start(self.date_to + datetime.timedelta(days=1))

    def as_dict(self) -> dict:
        return {
            "province": self.province,
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
        }


def filters_from(form: DashboardFilterForm, today: datetime.date | None = None) -> Filters:
    today = today or timezone.localdate()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    date_to = data.get("date_to") or today
    date_from = data.get("date_from") or date_to - datetime.timedelta(days=DEFAULT_PERIOD_DAYS)
    if date_from > date_to:
        date_from = date_to - datetime.timedelta(days=DEFAULT_PERIOD_DAYS)
    return Filters(data.get("province") or "", date_from, date_to)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Charts -------------------------------------------------------------------------------------

CHART_WIDTH = 520
BAR_HEIGHT = 22
BAR_GAP = 6
LABEL_WIDTH = 180
VALUE_WIDTH = 60


@dataclass
class Bar:
    label: str
    value: float
    y: int
    width: int
    text_y: int
    value_x: int


@dataclass
class Chart:
    """A horizontal bar chart: one bar per row, scaled to the largest value."""

    bars: list
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_x: int = LABEL_WIDTH + 8


def bar_chart(pairs) -> Chart:
    pairs = list(pairs)
    largest = max((value for _label, value in pairs), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 8 - VALUE_WIDTH
    bars = []
    for index, (label, value) in enumerate(pairs):
        y = index * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            Bar(
                label=str(label),
                value=value,
                y=y,
                width=max(0, round(span * float(value) / largest)),
                text_y=y + BAR_HEIGHT - 6,
                value_x=LABEL_WIDTH + 8 + max(0, round(span * float(value) / largest)) + 4,
            )
        )
    height = max(BAR_HEIGHT, len(bars) * (BAR_HEIGHT + BAR_GAP))
    return Chart(bars=bars, width=CHART_WIDTH, height=height)


# Sections -----------------------------------------------------------------------------------


@dataclass
class Section:
    key: str
    title: str
    header: list
    rows: list
    chart: Chart | None = None
    summary: list = field(default_factory=list)  # [(label, value)] shown above the table


def _month(value) -> str:
    return value.strftime("%Y-%m") if value else ""


def received_per_month(f: Filters) -> Section:
    """Applications by month of submission (the latest submission) and kind."""
    queryset = Application.objects.filter(submitted_at__gte=f.start, submitted_at__lt=f.end)
    if f.province:
        queryset = queryset.filter(company_province=f.province)
    counts = (
        queryset.annotate(month=TruncMonth("submitted_at"))
        .values("month", "kind")
        .annotate(n=Count("pk"))
        .order_by("month", "kind")
    )
    kinds = list(ApplicationKind)
    table = {}
    for row in counts:
        table.setdefault(_month(row["month"]), dict.fromkeys(kinds, 0))[row["kind"]] = row["n"]
    rows = [
        [month, *(by_kind[k] for k in kinds), sum(by_kind.values())]
        for month, by_kind in table.items()
    ]
    return Section(
        key="received",
        title=_("Applications received per month"),
        header=[_("Month"), *(str(k.label) for k in kinds), _("Total")],
        rows=rows,
        chart=bar_chart((row[0], row[-1]) for row in rows),
    )


def _percentile(values, fraction):
    """Linear interpolation between the closest ranks (as PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 1)


def days_to_certificate(f: Filters) -> Section:
    """Days from the (latest) submission to the certificate's issue, for certificates issued
    in the period."""
    queryset = Certificate.objects.filter(
        issued_on__gte=f.date_from,
        issued_on__lte=f.date_to,
        application__submitted_at__isnull=False,
    )
    if f.province:
        queryset = queryset.filter(province=f.province)
    days = [
        (issued_on - timezone.localdate(submitted_at)).days
        for issued_on, submitted_at in queryset.values_list(
            "issued_on", "application__submitted_at"
        )
    ]
    median = _percentile(days, 0.5)
    p90 = _percentile(days, 0.9)
    rows = [
        [_("Certificates issued"), len(days)],
        [_("Median days"), median if median is not None else "—"],
        [_("90th percentile days"), p90 if p90 is not None else "—"],
    ]
    return Section(
        key="to_certificate",
        title=_("Days from submission to certificate"),
        header=[_("Measure"), _("Value")],
        rows=rows,
        chart=bar_chart([(_("Median"), median or 0), (_("90th percentile"), p90 or 0)]),
    )


def _application_ids(province):
    return (
        Application.objects.filter(company_province=province)
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )


def time_in_stage(f: Filters) -> Section:
    """Days spent in each state, from the audit events: a transition out of a state, in the
    period, minus the last transition into that state before it."""
    events = AuditEvent.objects.filter(
        content_type__app_label="applications", content_type__model="application"
    ).exclude(to_state="")
    entered = events.filter(
        object_id=OuterRef("object_id"),
        to_state=OuterRef("from_state"),
        created_at__lt=OuterRef("created_at"),
    ).order_by("-created_at", "-pk")
    left = (
        events.exclude(from_state="")
        .filter(created_at__gte=f.start, created_at__lt=f.end)
        .annotate(entered_at=Subquery(entered.values("created_at")[:1]))
    )
    if f.province:
        left = left.filter(object_id__in=_application_ids(f.province))
    spent = {}
    for state, left_at, entered_at in left.values_list("from_state", "created_at", "entered_at"):
        if entered_at is not None and state != ApplicationState.DRAFT:
            spent.setdefault(state, []).append((left_at - entered_at).total_seconds() / 86400)
    labels = dict(ApplicationState.choices)
    rows = [
        [
            str(labels.get(state, state)),
            len(spent[state]),
            round(statistics.median(spent[state]), 1),
            round(statistics.fmean(spent[state]), 1),
        ]
        for state in ApplicationState.values
        if state in spent
    ]
    return Section(
        key="stages",
        title=_("Time in each stage (days)"),
        header=[_("Stage"), _("Times left"), _("Median days"), _("Average days")],
        rows=rows,
        chart=bar_chart((row[0], row[2]) for row in rows),
    )


def _submitted_inspections(f: Filters):
    queryset = Inspection.objects.filter(
        state__in=(InspectionState.PASSED, InspectionState.FAILED),
        submitted_at__gte=f.start,
        submitted_at__lt=f.end,
    )
    if f.province:
        queryset = queryset.filter(application__company_province=f.province)
    return queryset


def inspection_outcomes(f: Filters) -> Section:
    totals = _submitted_inspections(f).aggregate(
        passed=Count("pk", filter=Q(state=InspectionState.PASSED)),
        failed=Count("pk", filter=Q(state=InspectionState.FAILED)),
    )
    done = totals["passed"] + totals["failed"]
    rate = round(100 * totals["passed"] / done, 1) if done else None
    rows = [
        [_("Passed"), totals["passed"]],
        [_("Failed"), totals["failed"]],
        [_("Pass rate (%)"), rate if rate is not None else "—"],
    ]
    return Section(
        key="pass_rate",
        title=_("Inspection pass rate"),
        header=[_("Outcome"), _("Inspections")],
        rows=rows,
        chart=bar_chart([(_("Passed"), totals["passed"]), (_("Failed"), totals["failed"])]),
    )


def major_findings(f: Filters) -> Section:
    """Per requirement, how often inspections submitted in the period found a major
    non-compliance, most frequent first."""
    counts = (
        Finding.objects.filter(inspection__in=_submitted_inspections(f))
        .values("requirement")
        .annotate(
            major=Count("pk", filter=Q(result=FindingResult.MAJOR)),
            checked=Count("pk"),
        )
        .order_by("-major", "requirement")
    )
    labels = dict(Requirement.choices)
    rows = [
        [
            str(labels.get(row["requirement"], row["requirement"])),
            row["major"],
            row["checked"],
            round(100 * row["major"] / row["checked"], 1),
        ]
        for row in counts
    ]
    return Section(
        key="major_findings",
        title=_("Major non-compliance per requirement"),
        header=[_("Requirement"), _("Major findings"), _("Inspections checked"), _("Share (%)")],
        rows=rows,
        chart=bar_chart((row[0], row[1]) for row in rows),
    )


def inspector_weeks(f: Filters) -> Section:
    """Inspections (not cancelled) per inspector and week of their window's start."""
    queryset = Inspection.objects.exclude(state=InspectionState.CANCELLED).filter(
        window_start__gte=f.start, window_start__lt=f.end
    )
    if f.province:
        queryset = queryset.filter(application__company_province=f.province)
    counts = (
        queryset.annotate(week=TruncWeek("window_start"))
        .values("week", "inspector__full_name", "inspector__email")
        .annotate(n=Count("pk"))
        .order_by("inspector__full_name", "inspector__email", "week")
    )
    rows = [
        [
            row["inspector__full_name"] or row["inspector__email"],
            row["week"].date().isoformat() if row["week"] else "",
            row["n"],
        ]
        for row in counts
    ]
    busiest = {}
    for name, _week, n in rows:
        busiest[name] = max(busiest.get(name, 0), n)
    return Section(
        key="inspector_weeks",
        title=_("Inspections per inspector per week"),
        header=[_("Inspector"), _("Week of"), _("Inspections")],
        rows=rows,
        chart=bar_chart(busiest.items()),
        summary=[(_("The chart shows each inspector's busiest week."), "")],
    )


def expiring_per_month(f: Filters, today: datetime.date | None = None) -> Section:
    """Active or suspended certificates whose last valid day falls in each of the next twelve
    months."""
    today = today or timezone.localdate()
    end = today + datetime.timedelta(days=365)
    queryset = Certificate.objects.filter(
        state__in=(CertificateState.ACTIVE, CertificateState.SUSPENDED),
        expires_on__gte=today,
        expires_on__lte=end,
    )
    if f.province:
        queryset = queryset.filter(province=f.province)
    counts = {
        _month(row["month"]): row["n"]
        for row in queryset.annotate(month=TruncMonth("expires_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    }
    months = []
    day = today.replace(day=1)
    while day <= end:
        months.append(day.strftime("%Y-%m"))
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    rows = [[month, counts.get(month, 0)] for month in months]
    return Section(
        key="expiring",
        title=_("Certificates expiring per month (next twelve months)"),
        header=[_("Month"), _("Certificates")],
        rows=rows,
        chart=bar_chart(rows),
    )


def sanctions_by_kind(f: Filters) -> Section:
    queryset = Sanction.objects.filter(created_at__gte=f.start, created_at__lt=f.end)
    if f.province:
        queryset = queryset.filter(certificate__province=f.province)
    counts = {
        row["kind"]: row["n"]
        for row in queryset.values("kind").annotate(n=Count("pk")).order_by("kind")
    }
    rows = [[str(kind.label), counts.get(kind.value, 0)] for kind in SanctionKind]
    return Section(
        key="sanctions",
        title=_("Sanctions by type"),
        header=[_("Type"), _("Sanctions")],
        rows=rows,
        chart=bar_chart(rows),
    )


SECTIONS = (
    received_per_month,
    days_to_certificate,
    time_in_stage,
    inspection_outcomes,
    major_findings,
    inspector_weeks,
    expiring_per_month,
    sanctions_by_kind,
)


def dashboard(filters: Filters) -> list[Section]:
    """Every section: one query each, whatever the number of rows."""
    return [section(filters) for section in SECTIONS]
