"""The ministry desk's overview pages: queues by what must happen next, exports of the queues
and the certificate list. Staff only: anyone else gets the 404 of a missing page."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from applications.billing import selectors as billing_selectors
from applications.billing import services as billing_services
from certificates import dashboard, desk, search, selectors
from certificates.constants import CertificateState
from certificates.exports import (
    FORMATS,
    csv_response,
    export_record,
    export_response,
    xlsx_response,
)
from certificates.forms import StaffFilterForm
from registrasi.access import refuse_role, staff_only

QUEUE_PAGE_SIZE = 25


def _queue_key(request):
    key = request.GET.get("queue") or desk.DEFAULT_QUEUE
    return key if key in desk.QUEUES else desk.DEFAULT_QUEUE


def _page_number(request):
    try:
        return int(request.GET.get("page") or 1)
    except ValueError:
        return 1


def _query_without(request, *names):
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@require_GET
@staff_only
def queues(request):
    form = desk.DeskFilterForm(request.GET or None)
    key = _queue_key(request)
    page = desk.desk_page(
        key=key, filters=form.filters(), page=_page_number(request), per_page=QUEUE_PAGE_SIZE
    )
    tabs = [(k, q.label, page.counts[k]) for k, q in desk.QUEUES.items()]
    return render(
        request,
        "certificates/desk/queues.html",
        {
            "form": form,
            "desk": page,
            "tabs": tabs,
            "key": key,
            "filter_query": _query_without(request, "queue", "page", "format"),
            "page_query": _query_without(request, "page", "format"),
        },
    )


QUEUE_HEADER = [
    "reference",
    "company",
    "kind",
    "province",
    "state",
    "detail",
    "waiting_since",
    "working_days_waited",
    "target_working_days",
    "service_level",
]


def _queue_lines(key, filters):
    for row in desk.queue_rows(key, filters):
        yield [
            row.reference,
            row.company,
            row.kind,
            row.province,
            row.state,
            row.detail,
            row.since,
            row.waited,
            row.target,
            str(row.status_label),
        ]


def _format(request):
    file_format = request.GET.get("format", "csv")
    if file_format not in FORMATS:
        raise Http404
    return file_format


@require_GET
@staff_only
def queue_export(request, key):
    if key not in desk.QUEUES:
        raise Http404
    file_format = _format(request)
    form = desk.DeskFilterForm(request.GET or None)
    filters = form.filters()
    export_record(
        actor=request.user,
        what=f"queue:{key}",
        file_format=file_format,
        filters=filters,
    )
    stamp = timezone.localdate().isoformat()
    return export_response(
        file_format=file_format,
        filename=f"queue-{key}-{stamp}",
        sheet=str(desk.QUEUES[key].label),
        header=QUEUE_HEADER,
        rows=_queue_lines(key, filters),
    )


CERTIFICATE_HEADER = [
    "number",
    "company",
    "nib",
    "province",
    "state",
    "issued_on",
    "valid_from",
    "expires_on",
]


def _certificate_lines(queryset):
    labels = dict(CertificateState.choices)
    for certificate in queryset.iterator(chunk_size=2000):
        yield [
            certificate.number,
            certificate.legal_name,
            certificate.nib,
            certificate.get_province_display(),
            str(labels.get(certificate.public_status, certificate.public_status)),
            certificate.issued_on,
            certificate.valid_from,
            certificate.expires_on,
        ]


@require_GET
@staff_only
def certificate_export(request):
    """The staff certificate list with the filters of its page (views.pages.staff_list)."""
    file_format = _format(request)
    form = StaffFilterForm(
        request.GET or None,
        state_choices=[(s.value, s.label) for s in CertificateState],
    )
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = selectors.staff_certificates(
        state=filters.get("state", ""),
        expiring_within_days=filters.get("expiring_within_days"),
        province=filters.get("province", ""),
        pdf_failed=filters.get("pdf_failed", False),
    )
    export_record(actor=request.user, what="certificates", file_format=file_format, filters=filters)
    return export_response(
        file_format=file_format,
        filename=f"certificates-{timezone.localdate().isoformat()}",
        sheet=_("Certificates"),
        header=CERTIFICATE_HEADER,
        rows=_certificate_lines(queryset),
    )


# Payments -------------------------------------------------------------------------------------
# The staff payments page lives in applications.billing, which may not import certificates;
# its export lives here, next to the others, and reads the same billing selectors.

CODE_HEADER = [
    "billing_code",
    "for",
    "application",
    "company",
    "payer",
    "amount",
    "expires_at",
    "status",
]
DISCREPANCY_HEADER = [
    "ntpn",
    "billing_code",
    "for",
    "payer",
    "paid",
    "billed",
    "why",
    "paid_at",
    "channel",
]


def _code_lines(codes):
    codes = codes.select_related("sanction__certificate__application__organization")
    for code in codes.iterator(chunk_size=2000):
        application = code.application
        yield [
            code.code,
            code.reference,
            application.reference,
            application.organization.legal_name,
            code.payer_name,
            code.amount,
            code.expires_at,
            code.get_status_display(),
        ]


def _discrepancy_lines(payments):
    for payment in payments.iterator(chunk_size=2000):
        code = payment.billing_code
        yield [
            payment.ntpn,
            code.code,
            code.reference,
            code.payer_name,
            payment.amount,
            code.amount,
            payment.discrepancy_reason,
            payment.paid_at,
            payment.channel,
        ]


@require_GET
@staff_only
def payments_export(request):
    """The staff payments page (applications.billing.views.payments) with its view and search."""
    refuse_role(request.user.has_perm(billing_services.RECORD_PAYMENT))
    file_format = _format(request)
    view = request.GET.get("view") or "unpaid"
    if view not in billing_selectors.VIEWS:
        raise Http404
    query = request.GET.get("q", "")[:64]
    if view == "discrepancies":
        header, rows = (
            DISCREPANCY_HEADER,
            _discrepancy_lines(billing_selectors.staff_discrepancies(query)),
        )
    else:
        header, rows = CODE_HEADER, _code_lines(billing_selectors.staff_codes(view, query))
    export_record(
        actor=request.user,
        what="payments",
        file_format=file_format,
        filters={"view": view, "q": query.strip()},
    )
    return export_response(
        file_format=file_format,
        filename=f"payments-{view}-{timezone.localdate().isoformat()}",
        sheet=str(billing_selectors.VIEWS[view]),
        header=header,
        rows=rows,
    )


# Dashboard ------------------------------------------------------------------------------------


@require_GET
@staff_only
def dashboard_page(request):
    form = dashboard.DashboardFilterForm(request.GET or None)
    filters = dashboard.filters_from(form)
    return render(
        request,
        "certificates/desk/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "sections": dashboard.dashboard(filters),
            "filter_query": _query_without(request, "format", "table"),
        },
    )


@require_GET
@staff_only
def dashboard_export(request):
    """Every table of the dashboard as sheets of one XLSX, or one table (`table`) as CSV."""
    file_format = _format(request)
    form = dashboard.DashboardFilterForm(request.GET or None)
    filters = dashboard.filters_from(form)
    sections = dashboard.dashboard(filters)
    if file_format == "csv":
        chosen = [s for s in sections if s.key == request.GET.get("table")]
        if not chosen:
            raise Http404
        sections = chosen
    what = "dashboard" if file_format == "xlsx" else f"dashboard:{sections[0].key}"
    export_record(actor=request.user, what=what, file_format=file_format, filters=filters.as_dict())
    filename = f"dashboard-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}"
    if file_format == "csv":
        section = sections[0]
        return csv_response(
            filename=f"{filename}-{section.key}", header=section.header, rows=section.rows
        )
    return xlsx_response(filename=filename, sheets=[(s.title, s.header, s.rows) for s in sections])


# Search ---------------------------------------------------------------------------------------


@require_GET
@staff_only
def search_page(request):
    form = search.SearchForm(request.GET or None)
    results = None
    if form.is_bound and form.is_valid():
        results = search.staff_search(user=request.user, query=form.cleaned_data["q"])
    return render(
        request,
        "certificates/desk/search.html",
        {"form": form, "results": results},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
