"""Billing pages: the invoice's billing panel (polled by htmx), code renewal, the slip and
receipt downloads, the simulator's "pay as a bank would" page, the staff payments page, and
the billing system's callback (signed, CSRF-exempt, no session)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from applications.billing import callback as callback_parsing
from applications.billing import selectors, services, simulator
from applications.billing.forms import (
    OfficePaymentForm,
    ResolveForm,
    SettlementForm,
    SimulatorPayForm,
)
from applications.billing.models import BillingCode, BillingPayment, CallbackReceipt
from applications.billing.settlement import SettlementFileError, settlement_import
from applications.models import Invoice
from registrasi.pagination import CappedPaginator
from registrasi.refusals import add_service_error, report_refusal
from registrasi.services import ServiceError
from registrasi.uploads import download_response

logger = logging.getLogger(__name__)
PAGE_SIZE = 25


def _invoice(request, pk):
    queryset = Invoice.objects.visible_to(request.user).select_related("application__organization")
    return get_object_or_404(queryset, pk=pk)


def panel_context(request, invoice):
    return {
        "request": request,
        "csrf_token": get_token(request),
        "channels": selectors.payment_channels(),
        "invoice": invoice,
        "billing": selectors.invoice_billing(invoice),
        "can_simulate": simulator.may_use(request.user),
        "is_staff": request.user.is_ministry_staff,
    }


@login_required
def panel(request, pk):
    """The billing part of the invoice; htmx polls it while a code or payment is awaited."""
    invoice = _invoice(request, pk)
    return render(request, "applications/billing/_panel.html", panel_context(request, invoice))


@login_required
@require_POST
def renew(request, pk):
    invoice = _invoice(request, pk)
    try:
        services.billing_code_renew(invoice=invoice, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A new billing code was requested; the old one is voided."))
    return redirect("applications:detail", pk=invoice.application_id)


def _file_response(field, filename):
    return download_response(field, filename=filename, content_type="application/pdf")


@login_required
def slip(request, pk):
    code = get_object_or_404(BillingCode.objects.visible_to(request.user), pk=pk)
    if not code.slip_pdf:
        raise Http404
    return _file_response(code.slip_pdf, f"billing-slip-{code.code}.pdf")


@login_required
def receipt(request, pk):
    payment = get_object_or_404(BillingPayment.objects.visible_to(request.user), pk=pk)
    if not payment.receipt_pdf:
        raise Http404
    return _file_response(payment.receipt_pdf, f"receipt-{payment.ntpn}.pdf")


# The simulator ----------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def simulator_pay(request, pk):
    if not simulator.may_use(request.user):
        raise Http404
    code = get_object_or_404(
        BillingCode.objects.visible_to(request.user).select_related(
            "invoice__application", "sanction__certificate__application"
        ),
        pk=pk,
        code__isnull=False,
    )
    form = SimulatorPayForm(request.POST or None, initial={"amount": code.amount})
    answer = None
    if request.method == "POST" and form.is_valid():
        answer = simulator.pay(
            code=code,
            amount=form.cleaned_data["amount"],
            channel=form.cleaned_data["channel"],
            callback_url=simulator.callback_url(request),
        )
        if answer.ok:
            messages.success(request, _("The simulated bank paid the code and told the portal."))
            return redirect("applications:detail", pk=code.application.pk)
    return render(
        request,
        "applications/billing/simulator.html",
        {"code": code, "form": form, "answer": answer},
    )


# Staff --------------------------------------------------------------------------------
def _staff(request):
    if not (request.user.is_ministry_staff and request.user.has_perm(services.RECORD_PAYMENT)):
        raise PermissionDenied


@login_required
def payments(request):
    _staff(request)
    view = request.GET.get("view", "unpaid")
    if view not in selectors.VIEWS:
        view = "unpaid"
    query = request.GET.get("q", "")[:64]
    if view == "discrepancies":
        rows = selectors.staff_discrepancies(query)
    else:
        rows = selectors.staff_codes(view, query)
    # Counted up to a cap: the paid codes grow with every application (issue 14).
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "applications/billing/payments.html",
        {
            "views": selectors.VIEWS,
            "view": view,
            "q": query,
            "page": page,
            "resolve_form": ResolveForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def office_payment(request, pk):
    _staff(request)
    invoice = _invoice(request, pk)
    form = OfficePaymentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.office_payment_record(invoice=invoice, actor=request.user, **form.cleaned_data)
        except (ServiceError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The payment was recorded."))
            return redirect("applications:detail", pk=invoice.application_id)
    status = 400 if form.errors else 200
    return render(
        request,
        "applications/billing/office_payment.html",
        {"invoice": invoice, "form": form},
        status=status,
    )


@login_required
@require_POST
def resolve(request, pk):
    _staff(request)
    payment = get_object_or_404(BillingPayment.objects.visible_to(request.user), pk=pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do and say why."))
        return redirect(f"{reverse('billing:payments')}?view=discrepancies")
    try:
        services.discrepancy_resolve(
            payment=payment,
            actor=request.user,
            apply=form.cleaned_data["decision"] == "apply",
            note=form.cleaned_data["note"],
        )
    except (ServiceError, ValidationError) as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("The discrepancy was resolved."))
    return redirect(f"{reverse('billing:payments')}?view=discrepancies")


# The billing system's callback ---------------------------------------------------------
def _refuse(status, reason, **extra):
    logger.warning("billing callback refused (%s): %s %s", status, reason, extra or "")
    return JsonResponse({"status": "refused", "reason": reason}, status=status)


@csrf_exempt
@require_POST
def callback(request):
    """The billing system reports a paid code. Authenticated only by the signature: a
    session (or its absence) changes nothing. See README "Billing callback"."""
    body, refusal = callback_parsing.read_body(request)
    if refusal:
        return _refuse(*refusal)
    timestamp = request.headers.get("X-Billing-Timestamp", "")
    given = request.headers.get("X-Billing-Signature", "")
    if not callback_parsing.verify(body, timestamp, given):
        return _refuse(401, "bad signature")
    if not callback_parsing.is_fresh(timestamp):
        return _refuse(401, "stale timestamp", timestamp=timestamp)
    report, error = callback_parsing.parse(body)
    if error:
        return _refuse(400, error)
    try:
        with transaction.atomic():
            CallbackReceipt.objects.create(signature=given)
            payment, created = services.payment_receive(**report)
    except IntegrityError:
        return _refuse(409, "replay", signature=given[:12])
    except services.UnknownCode:
        return _refuse(404, "unknown billing code", code=report["code"])
    logger.info(
        "billing callback: %s %s (%s)",
        report["code"],
        payment.outcome,
        "new" if created else "again",
    )
    return JsonResponse({"status": "ok", "outcome": payment.outcome, "ntpn": payment.ntpn})


@login_required
@require_http_methods(["GET", "POST"])
def settlement(request):
    """Staff upload the settlement file; the page lists what it did."""
    _staff(request)
    form = SettlementForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = settlement_import(data=upload.read())
        except SettlementFileError as exc:
            form.add_error("file", str(exc))
    status = 400 if form.errors else 200
    return render(
        request,
        "applications/billing/settlement.html",
        {"form": form, "result": result},
        status=status,
    )
