"""Rows for the desk's queue, export and dashboard tests, written with bulk inserts (the
services would take seconds per application; these tests need dozens). States are given at
creation, as the generate_scale command does, only in tests that read them."""

import datetime
import itertools

from django.utils import timezone

from applications.billing.models import (
    BillingCode,
    BillingPayment,
    CodeStatus,
    PaymentOutcome,
    PaymentSource,
)
from applications.constants import ApplicationKind, ApplicationState, ReviewStatus
from applications.models import Application, Document, DocumentVersion, Invoice
from certificates.constants import CertificateState
from certificates.models import Certificate
from inspections.constants import InspectionState
from inspections.models import Inspection
from tests.applications.factories import _member_of

A = ApplicationState
_serial = itertools.count(1)


def _next():
    return next(_serial)


def applications(
    organization,
    count,
    state,
    *,
    submitted_days_ago=3,
    kind=ApplicationKind.NEW,
    province=None,
    basis_certificate=None,
    submitted_at=None,
):
    """`count` applications of `organization` in `state`, submitted N days ago (or at
    `submitted_at`)."""
    submitted = submitted_at or timezone.now() - datetime.timedelta(days=submitted_days_ago)
    creator = _member_of(organization)
    rows = [
        Application(
            organization=organization,
            kind=kind,
            reference=f"REG-T-{_next():06d}",
            state=state,
            created_by=creator,
            submitted_at=None if state == A.DRAFT else submitted,
            state_changed_at=submitted,
            company_legal_name=organization.legal_name,
            company_address="Jl. Merdeka 1",
            company_province=province or organization.province,
            agent_seats=20,
            basis_certificate=basis_certificate,
        )
        for _index in range(count)
    ]
    return Application.objects.bulk_create(rows)


def invoices(apps, *, paid=True, due_days_from_now=14):
    now = timezone.now()
    return Invoice.objects.bulk_create(
        [
            Invoice(
                application=app,
                number=f"INV-T-{_next():06d}",
                amount=5_000_000,
                issued_at=now - datetime.timedelta(days=5),
                due_date=timezone.localdate() + datetime.timedelta(days=due_days_from_now),
                paid_at=now - datetime.timedelta(days=4) if paid else None,
            )
            for app in apps
        ]
    )


def pending_documents(apps, uploaded_by, *, uploaded_days_ago=2):
    documents = Document.objects.bulk_create(
        [Document(application=app, document_type="sop_manual") for app in apps]
    )
    versions = DocumentVersion.objects.bulk_create(
        [
            DocumentVersion(
                document=doc,
                number=1,
                file="documents/t.pdf",
                original_name="sop.pdf",
                size=10,
                sha256="0" * 64,
                content_type="application/pdf",
                uploaded_by=uploaded_by,
                review_status=ReviewStatus.PENDING,
            )
            for doc in documents
        ]
    )
    when = timezone.now() - datetime.timedelta(days=uploaded_days_ago)
    DocumentVersion.objects.filter(pk__in=[v.pk for v in versions]).update(uploaded_at=when)
    Application.objects.filter(pk__in=[a.pk for a in apps]).refresh_documents_to_review()
    return versions


def overdue_inspections(apps, inspector, staff, *, ended_days_ago=3):
    now = timezone.now()
    rows = []
    for index, app in enumerate(apps):
        end = now - datetime.timedelta(days=ended_days_ago, hours=3 * index)
        rows.append(
            Inspection(
                application=app,
                inspector=inspector,
                state=InspectionState.SCHEDULED,
                window_start=end - datetime.timedelta(hours=2),
                window_end=end,
                scheduled_by=staff,
            )
        )
    return Inspection.objects.bulk_create(rows)


def discrepancies(invoice_rows):
    codes = BillingCode.objects.bulk_create(
        [
            BillingCode(
                invoice=invoice,
                code=f"8{_next():014d}",
                amount=invoice.amount,
                payer_name="PT Test",
                status=CodeStatus.ACTIVE,
            )
            for invoice in invoice_rows
        ]
    )
    return BillingPayment.objects.bulk_create(
        [
            BillingPayment(
                billing_code=code,
                ntpn=f"N{_next():015d}",
                ntb="NTB1",
                channel="teller",
                amount=code.amount - 1000,
                paid_at=timezone.now() - datetime.timedelta(days=1),
                source=PaymentSource.CALLBACK,
                outcome=PaymentOutcome.DISCREPANCY,
                discrepancy_reason="wrong_amount",
            )
            for code in codes
        ]
    )


def certificates(
    apps,
    staff,
    *,
    expires_in_days=30,
    issued_days_ago=400,
    state=CertificateState.ACTIVE,
    issued_on=None,
    expires_on=None,
):
    today = timezone.localdate()
    rows = []
    for app in apps:
        serial = _next()
        rows.append(
            Certificate(
                application=app,
                organization=app.organization,
                number=f"T/{serial:06d}/2026",
                legal_name=app.company_legal_name,
                nib=app.organization.nib,
                address="Jl. Merdeka 1",
                province=app.company_province,
                agent_seats=app.agent_seats,
                issued_on=issued_on or today - datetime.timedelta(days=issued_days_ago),
                expires_on=expires_on or today + datetime.timedelta(days=expires_in_days),
                issued_by=staff,
                state=state,
            )
        )
    return Certificate.objects.bulk_create(rows)
