"""The ministry desk's queues, by what must happen next, each with a service-level target.

A queue is one queryset (aggregates and subqueries in the database, a fixed number of
queries whatever the rows) and a function that turns each object into a `QueueRow`: what it
is, since when it has waited in this stage, and how that compares with the stage's target in
working days (registrasi.working_days; the rows are made in certificates.desk_rows). It
lives in certificates because two queues read inspections and certificates, and only
certificates may import both (tests/test_dependencies).
"""

from dataclasses import dataclass, field

from django import forms
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy

from applications.billing.models import BillingPayment, PaymentOutcome
from applications.constants import ApplicationKind, ApplicationState, ReviewStatus
from applications.models import Application, DocumentVersion, Invoice
from applications.selectors import staff_queue
from certificates import desk_rows
from certificates.selectors import staff_certificates
from certificates.service_levels import (
    Target,
    service_target,
)
from inspections.selectors import overdue_inspections
from registrasi.accounts.constants import Province
from registrasi.accounts.models import Organization

S = ApplicationState
# Change reports still open with the ministry (not drafts, not decided).
OPEN_CHANGE_STATES = (
    S.SUBMITTED,
    S.UNDER_REVIEW,
    S.RETURNED,
    S.AWAITING_INSPECTION,
    S.INSPECTION_SCHEDULED,
    S.INSPECTION_PASSED,
    S.INSPECTION_FAILED,
)


@dataclass
class Queue:
    key: str
    label: str
    stage: str  # what the row waits for, for the page and the export
    build: object  # filters -> queryset
    to_row: object  # (object, target, now) -> QueueRow
    # filters -> its rows' number capped at COUNT_CAP + 1, when build's queryset is no good
    # for counting; else the queryset's capped count.
    count: object = None
    # The page is read as one query whose subquery orders and slices the ids alone (no
    # joined organization, no wide rows); the outer query reads the rows of those ids with
    # what they need, in the same order (issue 14).
    ids_first: bool = False
    # When build's order is costly to compute for every row: (filters, slice) -> the page's
    # ids in order, and ids -> the page's rows with what they need.
    page_ids: object = None
    page_rows: object = None


# Filters ------------------------------------------------------------------------------------


class DeskFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *ApplicationKind.choices],
    )
    province = forms.ChoiceField(
        label=gettext_lazy("Province"),
        required=False,
        choices=[("", gettext_lazy("All provinces")), *Province.choices],
    )

    def filters(self) -> dict:
        """The valid, non-empty filters (an invalid value is dropped, never a 500)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


def _application_filters(queryset, filters, prefix=""):
    if filters.get("kind"):
        queryset = queryset.filter(**{f"{prefix}kind": filters["kind"]})
    if filters.get("province"):
        queryset = queryset.filter(**{f"{prefix}company_province": filters["province"]})
    return queryset


# Since when -----------------------------------------------------------------------------------


def _oldest_pending_upload():
    """The upload time of the oldest current document version not reviewed yet."""
    newer = DocumentVersion.objects.filter(
        document=OuterRef("document"), number__gt=OuterRef("number")
    )
    pending = (
        DocumentVersion.objects.filter(
            document__application=OuterRef("pk"), review_status=ReviewStatus.PENDING
        )
        .exclude(Exists(newer))
        .order_by("uploaded_at")
    )
    return Subquery(pending.values("uploaded_at")[:1])


def _paid():
    """The fee is paid: a paid invoice and no open (unpaid, not cancelled) one."""
    invoices = Invoice.objects.filter(application=OuterRef("pk"), cancelled_at__isnull=True)
    return Exists(invoices.filter(paid_at__isnull=False)) & ~Exists(
        invoices.filter(paid_at__isnull=True)
    )


# Queues -------------------------------------------------------------------------------------


def _to_review(filters):
    since = Case(
        When(state__in=(S.SUBMITTED, S.UNDER_REVIEW), then=F("submitted_at")),
        default=Coalesce(_oldest_pending_upload(), F("submitted_at")),
        output_field=DateTimeField(),
    )
    queryset = staff_queue(filters={k: v for k, v in filters.items() if k in ("kind", "province")})
    # In submission order, which the partial index of open applications serves (ordering by
    # `since` computed it for every row: a second at 100,000 applications).
    return queryset.annotate(since=since).order_by("submitted_at", "pk")


# What a row of "to schedule" and "to decide" reads: a few columns and the company's name,
# not every column of the application and its organization (building those model instances
# was half of a page's rows' time).
ROW_COLUMNS = ("reference", "company_legal_name", "kind", "company_province", "state")


def _company_name():
    """The company as declared in the application, else its organization's legal name."""
    organization = Organization.objects.filter(pk=OuterRef("organization_id"))
    return Coalesce(
        NullIf(F("company_legal_name"), Value("")),
        Subquery(organization.values("legal_name")[:1]),
    )


def _in_state(state, filters, *extra):
    queryset = Application.objects.filter(*extra, state=state)
    return (
        _application_filters(queryset, filters)
        .only(*ROW_COLUMNS)
        .annotate(since=F("state_changed_at"), company=_company_name())
        .order_by("state_changed_at", "pk")  # index applications_app_state_since
    )


def _to_schedule(filters):
    return _in_state(S.AWAITING_INSPECTION, filters, _paid())


def _to_decide(filters):
    return _in_state(S.INSPECTION_PASSED, filters)


def _changes(filters):
    queryset = Application.objects.filter(kind=ApplicationKind.CHANGE, state__in=OPEN_CHANGE_STATES)
    filters = {k: v for k, v in filters.items() if k != "kind"}
    return (
        _application_filters(queryset, filters)
        .select_related("organization", "basis_certificate")
        .annotate(since=F("submitted_at"))
        .order_by("since", "pk")
    )


# Payment problems: the applications with an open invoice past its due date (at most one open
# invoice each: applications_invoice_one_open), oldest due date first, then those with a
# payment discrepancy and no overdue invoice, earliest discrepancy first; ties by id.


def _overdue_invoices(filters):
    overdue = Invoice.objects.filter(
        paid_at__isnull=True, cancelled_at__isnull=True, due_date__lt=timezone.localdate()
    )
    return _application_filters(overdue, filters, prefix="application__")


def _first_discrepancy():
    return BillingPayment.objects.filter(
        billing_code__invoice__application=OuterRef("pk"), outcome=PaymentOutcome.DISCREPANCY
    ).order_by("received_at", "pk")


def _discrepancy_only(filters):
    discrepancy = BillingPayment.objects.filter(
        outcome=PaymentOutcome.DISCREPANCY, billing_code__invoice__isnull=False
    ).values("billing_code__invoice__application_id")
    queryset = Application.objects.filter(pk__in=discrepancy).exclude(
        Exists(_overdue_invoices({}).filter(application=OuterRef("pk")))
    )
    return _application_filters(queryset, filters)


def _payment_ids(filters):
    """The two disjoint sets of ids as a UNION ALL (an OR of two EXISTS read every
    application; a LIMIT stops reading the UNION ALL early)."""
    return (
        _overdue_invoices(filters)
        .order_by()
        .values("application_id")
        .union(_discrepancy_only(filters).order_by().values("pk"), all=True)
    )


def _payments(filters):
    """Every payment problem in the queue's order (the export)."""
    ids = _payment_ids(filters)
    overdue_since = F("overdue_since").asc(nulls_last=True)
    discrepancy_only_since = Case(When(overdue_since__isnull=True, then=F("discrepancy_since")))
    return _payment_details(Application.objects.filter(pk__in=ids)).order_by(
        overdue_since, discrepancy_only_since, "pk"
    )


def _payment_page_ids(filters, bounds: slice) -> list:
    """One page's application ids, in the queue's order: the first `bounds.stop` of each set
    read by index (the open invoices' due dates: applications_invoice_open_due), whatever
    the number of problems, instead of sorting them all by two lookups a row."""
    overdue = _overdue_invoices(filters).order_by("due_date", "application_id")
    since = Subquery(_first_discrepancy().values("received_at")[:1])
    discrepancy = _discrepancy_only(filters).annotate(since=since).order_by("since", "pk")
    ids = list(overdue.values_list("application_id", flat=True)[: bounds.stop])
    ids += discrepancy.values_list("pk", flat=True)[: bounds.stop]
    return ids[bounds]


def _payment_details(queryset):
    """The payment problems' rows with their dates and reason."""
    discrepancies = _first_discrepancy()
    overdue = Invoice.objects.filter(
        application=OuterRef("pk"),
        paid_at__isnull=True,
        cancelled_at__isnull=True,
        due_date__lt=timezone.localdate(),
    ).order_by("due_date")
    return queryset.select_related("organization").annotate(
        discrepancy_since=Subquery(discrepancies.values("received_at")[:1]),
        discrepancy_reason=Subquery(discrepancies.values("discrepancy_reason")[:1]),
        overdue_since=Subquery(overdue.values("due_date")[:1]),
    )


def _payments_count(filters):
    """The payment problems' number, capped at COUNT_CAP + 1."""
    return _payment_ids(filters)[: COUNT_CAP + 1].count()


def _overdue(filters):
    return _application_filters(overdue_inspections(), filters, prefix="application__")


def _overdue_count(filters):
    """Counted in the queue's order, which walks the partial index of active inspections by
    window end (inspections_overdue) up to now: without the order PostgreSQL reads every
    scheduled inspection by state to find the few whose window has ended."""
    rows = _overdue(filters).select_related(None).values("pk")
    return rows[: COUNT_CAP + 1].count()


def _expiring(filters):
    return staff_certificates(
        expiring_within_days=desk_rows.EXPIRY_HORIZON_DAYS, province=filters.get("province", "")
    )


QUEUES = {
    queue.key: queue
    for queue in (
        Queue(
            "to_review",
            gettext_lazy("To review"),
            gettext_lazy("Waiting for the desk's review (submitted, resubmitted, new documents)"),
            _to_review,
            desk_rows.review_row,
        ),
        Queue(
            "to_schedule",
            gettext_lazy("To schedule"),
            gettext_lazy("Accepted and paid, waiting for an inspection to be scheduled"),
            _to_schedule,
            desk_rows.application_row,
            ids_first=True,
        ),
        Queue(
            "overdue",
            gettext_lazy("Inspections overdue"),
            gettext_lazy("The inspection window ended and nothing was submitted"),
            _overdue,
            desk_rows.overdue_row,
            _overdue_count,
        ),
        Queue(
            "to_decide",
            gettext_lazy("To decide"),
            gettext_lazy("The inspection passed, waiting for the decision"),
            _to_decide,
            desk_rows.application_row,
            ids_first=True,
        ),
        Queue(
            "changes",
            gettext_lazy("Changes reported"),
            gettext_lazy("Change reports open with the ministry"),
            _changes,
            desk_rows.change_row,
        ),
        Queue(
            "payments",
            gettext_lazy("Payment problems"),
            gettext_lazy("Payment discrepancies and invoices unpaid past their due date"),
            _payments,
            desk_rows.payment_row,
            _payments_count,
            page_ids=_payment_page_ids,
            page_rows=_payment_details,
        ),
        Queue(
            "expiring",
            gettext_lazy("Expiring within 90 days"),
            gettext_lazy("Active certificates ending within 90 days"),
            _expiring,
            desk_rows.expiring_row,
        ),
    )
}
DEFAULT_QUEUE = "to_review"
# A queue's count stops here (issue 14): the tabs say "1000+" and the pages cover the first
# COUNT_CAP rows; the filters and the export reach the rest. Each queue's condition has a
# partial index (applications 0008, 0013, 0016; inspections 0007; certificates_state_expiry),
# so a capped count reads at most COUNT_CAP + 1 index entries whatever the number of rows.
COUNT_CAP = 1000


@dataclass
class DeskPage:
    queue: Queue
    counts: dict  # key -> number of rows
    rows: list
    target: Target
    page: int
    pages: int
    filters: dict = field(default_factory=dict)
    cap: int = COUNT_CAP

    def capped(self, key) -> bool:
        """More rows than the cap: the count shown is "1000+"."""
        return self.counts[key] > self.cap


def queue_queryset(key: str, filters: dict):
    return QUEUES[key].build(filters)


def queue_count(key: str, filters: dict) -> int:
    """The queue's number of rows, counted up to COUNT_CAP + 1 (no ORDER BY: any 1,001 rows
    tell "more than 1,000"; no joined rows, only the ids)."""
    queue = QUEUES[key]
    if queue.count is not None:
        return queue.count(filters)
    rows = queue.build(filters).select_related(None).order_by().values("pk")
    return rows[: COUNT_CAP + 1].count()


def desk_page(*, key: str, filters: dict, page: int = 1, per_page: int = 25) -> DeskPage:
    """The counts of every queue (capped at COUNT_CAP + 1) and one page of `key`'s rows: a
    count per queue, the page's rows with what they need, whatever the number of rows.
    Past the cap the pages cover the first COUNT_CAP rows."""
    counts = {k: queue_count(k, filters) for k in QUEUES}
    queue = QUEUES[key]
    target = service_target(key)
    pages = max(1, -(-min(counts[key], COUNT_CAP) // per_page))
    page = min(max(1, page), pages)
    queryset = queue_queryset(key, filters)
    bounds = slice((page - 1) * per_page, page * per_page)
    if queue.page_ids is not None:
        ids = queue.page_ids(filters, bounds)
        found = {obj.pk: obj for obj in queue.page_rows(Application.objects.filter(pk__in=ids))}
        objects = [found[pk] for pk in ids if pk in found]
    elif queue.ids_first:
        objects = queryset.filter(pk__in=queryset.select_related(None).values("pk")[bounds])
    else:
        objects = queryset[bounds]
    now = timezone.now()
    rows = [queue.to_row(obj, target.days, now) for obj in objects]
    return DeskPage(queue, counts, rows, target, page, pages, filters, cap=COUNT_CAP)


def queue_rows(key: str, filters: dict):
    """Every row of the queue, read in chunks (for exports)."""
    queue = QUEUES[key]
    target = service_target(key).days
    now = timezone.now()
    for obj in queue_queryset(key, filters).iterator(chunk_size=2000):
        yield queue.to_row(obj, target, now)
