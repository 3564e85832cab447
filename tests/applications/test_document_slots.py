"""One upload slot per required document (issue 15, point 6): the NIB and the deed of
establishment are two required documents, no longer one "business registration" file.
Migration 0014 split the old slot: each old document became the NIB document, and a deed
document beside it holds copies of its versions on the same stored file, so no application
loses its file and none becomes invalid."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from applications import selectors, services
from applications.constants import (
    REQUIRED_DOCUMENT_TYPES,
    ApplicationState,
    DocumentType,
    ReviewStatus,
    document_type_label,
)
from applications.models import Application, Document, DocumentVersion
from applications.services.submission import SubmissionIncomplete
from tests.applications.factories import (
    ApplicationFactory,
    pdf_upload,
    upload_required_documents,
)
from tests.certificates.factories import make_certificate

MIGRATION = importlib.import_module("applications.migrations.0014_split_business_registration")
LEGACY = "business_registration"
NIB = DocumentType.NIB
DEED = DocumentType.DEED_OF_ESTABLISHMENT
COMBINED_NAME = "nib-and-deed.pdf"


def make_legacy(application):
    """`application` as it was before the split: one business_registration document (its NIB
    document, renamed, holding a combined file) and no deed document."""
    deed = Document.objects.filter(application=application, document_type=DEED)
    DocumentVersion.objects.filter(document__in=deed).delete()
    deed.delete()
    Document.objects.filter(application=application, document_type=NIB).update(document_type=LEGACY)
    DocumentVersion.objects.filter(
        document__application=application, document__document_type=LEGACY
    ).update(original_name=COMBINED_NAME)
    Application.objects.filter(pk=application.pk).refresh_documents_to_review()


def split():
    MIGRATION.split_business_registration(global_apps, None)


def merge():
    MIGRATION.merge_business_registration(global_apps, None)


def versions_of(application, document_type):
    return list(
        DocumentVersion.objects.filter(
            document__application=application, document__document_type=document_type
        ).order_by("number")
    )


def flag(application):
    return Application.objects.values_list("has_documents_to_review", flat=True).get(
        pk=application.pk
    )


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


# The two required slots ---------------------------------------------------------------------


def test_the_nib_and_the_deed_are_two_required_documents():
    assert REQUIRED_DOCUMENT_TYPES[:2] == (NIB, DEED)
    assert LEGACY not in DocumentType.values


def test_a_draft_without_the_deed_is_refused_and_with_it_is_submitted(applicant):
    draft = ApplicationFactory(created_by=applicant)
    upload_required_documents(
        draft, applicant, types=[t for t in REQUIRED_DOCUMENT_TYPES if t != DEED]
    )

    with pytest.raises(SubmissionIncomplete) as refused:
        services.application_submit(application=draft, actor=applicant)

    assert refused.value.missing == ["document “Deed of establishment”"]
    assert Application.objects.get(pk=draft.pk).state == ApplicationState.DRAFT

    upload_required_documents(draft, applicant, types=[DEED])
    submitted = services.application_submit(application=draft, actor=applicant)
    assert submitted.state == ApplicationState.SUBMITTED


def test_a_draft_without_the_nib_is_refused(applicant):
    draft = ApplicationFactory(created_by=applicant)
    upload_required_documents(
        draft, applicant, types=[t for t in REQUIRED_DOCUMENT_TYPES if t != NIB]
    )

    with pytest.raises(SubmissionIncomplete) as refused:
        services.application_submit(application=draft, actor=applicant)

    assert refused.value.missing == ["document “Business identification number (NIB)”"]


def test_the_documents_step_has_a_slot_for_each_with_what_it_is_and_the_limits(applicant):
    draft = ApplicationFactory(created_by=applicant)

    response = client_for(applicant).get(reverse("applications:step", args=[draft.pk, "documents"]))

    html = response.content.decode()
    for document_type in (NIB, DEED):
        assert f'id="file-{document_type}"' in html
        assert 'aria-describedby="upload-limits"' in html
    assert "OSS (Online Single Submission)" in html
    assert "akta pendirian" in html
    assert "SK Kemenkumham" in html
    assert "at most 10" in html  # the size limit, stated once above the slots


def test_an_upload_of_the_old_combined_type_is_refused(applicant):
    draft = ApplicationFactory(created_by=applicant)

    response = client_for(applicant).post(
        reverse("applications:upload", args=[draft.pk]),
        {"document_type": LEGACY, "file": pdf_upload(), "expected_state": draft.state},
    )

    assert response.status_code == 400
    assert not Document.objects.filter(application=draft).exists()


def test_the_api_takes_the_two_types_and_refuses_the_old_one(applicant):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.api.conftest import client_for, make_token
    from tests.applications.factories import PDF_BYTES

    draft = ApplicationFactory(created_by=applicant)
    client = client_for(make_token(applicant).secret)

    def upload(document_type):
        return client.post(
            f"/api/v1/applications/{draft.pk}/documents/",
            {
                "document_type": document_type,
                "file": SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf"),
            },
            format="multipart",
        )

    assert upload(LEGACY).status_code == 400
    assert upload(NIB).status_code == 201
    assert upload(DEED).status_code == 201
    types = {
        d["document_type"]
        for d in client.get(f"/api/v1/applications/{draft.pk}/").json()["documents"]
    }
    assert types == {NIB, DEED}


def test_old_audit_events_keep_the_name_of_the_combined_document():
    assert document_type_label(LEGACY) == "Business registration (NIB and deed of establishment)"
    assert document_type_label(NIB) == "Business identification number (NIB)"
    assert document_type_label("unknown") == "unknown"


# The data migration -------------------------------------------------------------------------


def test_the_split_keeps_the_file_in_the_nib_slot_and_fills_the_deed_slot_with_it(staff_user):
    application = ApplicationFactory(awaiting_inspection=True, paid=True, staff=staff_user)
    make_legacy(application)
    [legacy_document] = Document.objects.filter(application=application, document_type=LEGACY)
    before = versions_of(application, LEGACY)
    assert selectors.readiness_blockers(application) == [
        "“Business identification number (NIB)” has not been uploaded",
        "“Deed of establishment” has not been uploaded",
    ]  # what the split must not leave behind

    split()

    nib = Document.objects.get(application=application, document_type=NIB)
    assert nib.pk == legacy_document.pk  # the same row, its versions and their history
    assert versions_of(application, NIB) == before
    deed_versions = versions_of(application, DEED)
    assert len(deed_versions) == len(before)
    for old, copy in zip(before, deed_versions, strict=True):
        assert copy.pk != old.pk
        assert copy.file.name == old.file.name  # the same stored file, nothing copied
        for name in ("number", "original_name", "size", "sha256", "content_type"):
            assert getattr(copy, name) == getattr(old, name)
        assert copy.uploaded_at == old.uploaded_at
        assert copy.uploaded_by_id == old.uploaded_by_id
        assert copy.review_status == old.review_status == ReviewStatus.ACCEPTED
        assert copy.reviewed_by_id == old.reviewed_by_id
        assert copy.reviewed_at == old.reviewed_at
        assert copy.carried_from_id is None
    assert not Document.objects.filter(document_type=LEGACY).exists()
    # Nothing became invalid: scheduling is not blocked by the new slot.
    assert selectors.readiness_blockers(application) == []
    assert flag(application) is False


def test_a_draft_with_the_combined_file_can_still_be_submitted(applicant):
    draft = ApplicationFactory(created_by=applicant, with_documents=True)
    make_legacy(draft)
    assert "document “Deed of establishment”" in selectors.submission_problems(draft)

    split()

    assert selectors.submission_problems(draft) == []
    submitted = services.application_submit(application=draft, actor=applicant)
    assert submitted.state == ApplicationState.SUBMITTED


def test_a_combined_file_waiting_for_review_waits_in_both_slots_and_both_say_so(staff_user):
    application = ApplicationFactory(submitted=True, staff=staff_user)
    make_legacy(application)

    split()

    assert [v.review_status for v in versions_of(application, NIB)] == [ReviewStatus.PENDING]
    assert [v.review_status for v in versions_of(application, DEED)] == [ReviewStatus.PENDING]
    assert flag(application) is True
    slots = {
        s.document_type: s for s in selectors.application_detail(application=application).documents
    }
    assert slots[DEED].shares_file_with == "Business identification number (NIB)"
    assert slots[NIB].shares_file_with == "Deed of establishment"
    assert slots[DocumentType.SOP_MANUAL].shares_file_with == ""
    html = client_for(staff_user).get(reverse("applications:detail", args=[application.pk]))
    text = html.content.decode()
    assert "The same file as “Business identification number (NIB)”" in text
    assert text.count(COMBINED_NAME) >= 2  # one link in each slot


def test_a_rejected_combined_file_must_be_replaced_in_both_slots(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, returned=True, staff=staff_user)
    # The factory rejects the first document: the NIB, now the combined file.
    make_legacy(application)

    split()

    assert versions_of(application, DEED)[-1].review_status == ReviewStatus.REJECTED
    problems = selectors.submission_problems(application)
    assert problems == [
        "a new version of “Business identification number (NIB)” (the current one was rejected)",
        "a new version of “Deed of establishment” (the current one was rejected)",
    ]
    # A separate deed replaces the copy in its slot only.
    services.document_upload(
        application=application,
        actor=applicant,
        document_type=DEED,
        uploaded_file=pdf_upload("akta.pdf"),
    )
    slots = {
        s.document_type: s for s in selectors.application_detail(application=application).documents
    }
    assert slots[DEED].current.number == 2
    assert slots[DEED].shares_file_with == ""


def test_a_follow_up_carrying_the_combined_file_carries_the_deed_copy(applicant, staff_user):
    from certificates import keeping

    certificate = make_certificate(organization=applicant.organization, quick=True)
    basis = Application.objects.get(pk=certificate.application_id)
    make_legacy(basis)
    change = keeping.application_start_change(certificate=certificate, actor=applicant)
    assert versions_of(change, LEGACY)[0].carried_from_id == versions_of(basis, LEGACY)[0].pk

    split()

    [basis_deed] = versions_of(basis, DEED)
    [change_deed] = versions_of(change, DEED)
    [change_nib] = versions_of(change, NIB)
    assert change_deed.carried_from_id == basis_deed.pk
    assert change_nib.carried_from_id == versions_of(basis, NIB)[0].pk
    assert change_deed.review_status == ReviewStatus.ACCEPTED  # a change report keeps it
    assert selectors.unaccepted_documents(change) == []


def test_reversing_the_split_merges_back_without_losing_an_upload(applicant, staff_user):
    certificate = make_certificate(organization=applicant.organization, quick=True)
    basis = Application.objects.get(pk=certificate.application_id)
    make_legacy(basis)
    from certificates import keeping

    change = keeping.application_start_change(certificate=certificate, actor=applicant)
    split()
    # The change report's deed gets a file of its own; the basis keeps only the copy.
    own = services.document_upload(
        application=change,
        actor=applicant,
        document_type=DEED,
        uploaded_file=pdf_upload("akta-2027.pdf"),
    )

    merge()

    assert not Document.objects.filter(document_type__in=[NIB, DEED]).exists()
    assert not Document.objects.filter(application=basis, document_type=DocumentType.OTHER).exists()
    [basis_old] = versions_of(basis, LEGACY)
    assert basis_old.original_name == COMBINED_NAME
    # The change report's deed, with its own upload, is kept as an "other" document.
    other = Document.objects.get(application=change, document_type=DocumentType.OTHER)
    other_versions = list(other.versions.order_by("number"))
    assert [v.number for v in other_versions] == [1, 2]
    assert other_versions[1].pk == own.pk
    # Its first version was carried from the basis's removed copy: now from the same file's
    # NIB version.
    assert other_versions[0].carried_from_id == basis_old.pk
    assert versions_of(change, LEGACY)[0].carried_from_id == basis_old.pk


@pytest.mark.django_db(transaction=True)
def test_the_migration_splits_existing_rows_when_applied():
    """Through Django's migration executor: back to 0013 (business_registration still a type),
    rows made there, then forward to the latest state."""
    application = ApplicationFactory(submitted=True)
    make_legacy(application)
    [old] = versions_of(application, LEGACY)
    executor = MigrationExecutor(connection)
    executor.migrate([("applications", "0013_documents_to_review_flag")])
    historical = executor.loader.project_state(
        ("applications", "0013_documents_to_review_flag")
    ).apps
    legacy = historical.get_model("applications", "Document")
    assert legacy.objects.filter(document_type=LEGACY).count() == 1

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    [nib] = versions_of(application, NIB)
    [deed] = versions_of(application, DEED)
    assert nib.pk == old.pk
    assert (deed.file.name, deed.original_name, deed.review_status) == (
        old.file.name,
        COMBINED_NAME,
        ReviewStatus.PENDING,
    )
    assert not Document.objects.filter(document_type=LEGACY).exists()
