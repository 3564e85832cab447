"""The database refuses what the services never do (a bug, a shell session, a race)."""

import pytest
from django.db import IntegrityError, transaction

from applications.constants import DocumentType, ReviewStatus
from applications.models import Application, Document, DocumentVersion, FeeTier, Invoice
from tests.applications.factories import ApplicationFactory


def refused(callable_, *args, **kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_(*args, **kwargs)


def test_agent_seats_must_be_positive(applicant):
    application = ApplicationFactory(created_by=applicant)
    refused(Application.objects.filter(pk=application.pk).update, agent_seats=0)


def test_a_submitted_application_has_a_reference(applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    refused(Application.objects.filter(pk=application.pk).update, reference=None)
    refused(Application.objects.filter(pk=application.pk).update, reference="X-1")


def test_an_application_beyond_draft_keeps_its_submission_time(applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    refused(Application.objects.filter(pk=application.pk).update, submitted_at=None, reference=None)


def test_one_document_per_required_type_but_many_others(applicant):
    application = ApplicationFactory(created_by=applicant, with_documents=True)
    refused(
        Document.objects.create,
        application=application,
        document_type=DocumentType.SOP_MANUAL,
    )
    Document.objects.create(application=application, document_type=DocumentType.OTHER)
    Document.objects.create(application=application, document_type=DocumentType.OTHER)


def test_version_numbers_are_unique_and_a_rejection_has_a_reason(applicant):
    application = ApplicationFactory(created_by=applicant, with_documents=True)
    version = DocumentVersion.objects.filter(document__application=application).first()
    rows = DocumentVersion.objects.filter(pk=version.pk)
    refused(rows.update, review_status=ReviewStatus.REJECTED, review_reason="")
    refused(rows.update, size=0)
    other = DocumentVersion.objects.exclude(pk=version.pk).filter(document=version.document)
    assert not other.exists()


def test_one_open_tier_per_schedule(db):
    tier = FeeTier.objects.filter(max_seats__isnull=True).get()
    refused(FeeTier.objects.create, schedule=tier.schedule, max_seats=None, amount=1)
    refused(FeeTier.objects.create, schedule=tier.schedule, max_seats=50, amount=1)


def test_an_invoice_is_issued_once_per_application(applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    invoice = Invoice.objects.get(application=application)
    refused(
        Invoice.objects.create,
        application=application,
        number="INV-2026-999999",
        amount=1,
        issued_at=invoice.issued_at,
        due_date=invoice.due_date,
    )
