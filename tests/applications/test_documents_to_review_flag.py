"""Application.has_documents_to_review: a stored flag, true exactly when the current version
of one of the application's documents awaits the ministry's review. The document services
keep it; the staff queue reads it through a partial index (issue 14)."""

import importlib

from django.apps import apps as global_apps

from applications import services
from applications.constants import REQUIRED_DOCUMENT_TYPES, ReviewStatus
from applications.models import Application, DocumentVersion
from tests.applications.factories import (
    ApplicationFactory,
    current_versions,
    pdf_upload,
    review_all_documents,
    upload_required_documents,
)
from tests.inspections.factories import awaiting_application

FIRST_TYPE = REQUIRED_DOCUMENT_TYPES[0]


def flag(application):
    return Application.objects.values_list("has_documents_to_review", flat=True).get(
        pk=application.pk
    )


def test_a_new_application_has_nothing_to_review(organization, applicant):
    application = ApplicationFactory(organization=organization, created_by=applicant)
    assert flag(application) is False


def test_an_upload_raises_the_flag(organization, applicant):
    application = ApplicationFactory(organization=organization, created_by=applicant)
    upload_required_documents(application, applicant, types=[FIRST_TYPE])
    assert flag(application) is True


def test_reviewing_every_current_version_lowers_it_and_a_new_version_raises_it(
    organization, applicant, staff_user
):
    application = awaiting_application(organization, staff=staff_user)
    assert flag(application) is False  # everything accepted on the way
    version = services.document_upload(
        application=application,
        actor=applicant,
        document_type=FIRST_TYPE,
        uploaded_file=pdf_upload("v2.pdf"),
    )
    assert flag(application) is True
    services.document_review(version=version, actor=staff_user, accepted=False, reason="Blurred")
    assert flag(application) is False  # rejected: the applicant's turn, not the ministry's


def test_the_flag_stays_up_while_one_of_several_versions_waits(organization, applicant, staff_user):
    application = awaiting_application(organization, staff=staff_user)
    for name in ("a.pdf", "b.pdf"):
        services.document_upload(
            application=application,
            actor=applicant,
            document_type="other",
            uploaded_file=pdf_upload(name),
        )
    first, second = [v for v in current_versions(application) if v.review_status == "pending"]
    services.document_review(version=first, actor=staff_user, accepted=True)
    assert flag(application) is True
    services.document_review(version=second, actor=staff_user, accepted=True)
    assert flag(application) is False


def test_review_all_documents_lowers_the_flag(organization, applicant, staff_user):
    application = awaiting_application(organization, staff=staff_user)
    upload_required_documents(application, applicant)
    assert flag(application) is True
    review_all_documents(application, staff_user)
    assert flag(application) is False


def test_the_data_migration_sets_the_flag_of_existing_rows(organization, applicant, staff_user):
    waiting = awaiting_application(organization, staff=staff_user)
    services.document_upload(
        application=waiting,
        actor=applicant,
        document_type=FIRST_TYPE,
        uploaded_file=pdf_upload("v2.pdf"),
    )
    reviewed = awaiting_application(organization, staff=staff_user)
    # Rows as they were before the flag existed: all false, one of them wrongly true.
    Application.objects.update(has_documents_to_review=False)
    Application.objects.filter(pk=reviewed.pk).update(has_documents_to_review=True)
    migration = importlib.import_module("applications.migrations.0013_documents_to_review_flag")
    migration.set_documents_to_review(global_apps, None)
    assert flag(waiting) is True
    assert flag(reviewed) is False


def test_the_flag_reads_only_current_versions(organization, applicant, staff_user):
    application = awaiting_application(organization, staff=staff_user)
    # An old version still pending (a data fix, say) does not count once a newer one exists.
    old = current_versions(application)[0]
    DocumentVersion.objects.filter(pk=old.pk).update(review_status=ReviewStatus.PENDING)
    services.document_upload(
        application=application,
        actor=applicant,
        document_type=old.document.document_type,
        uploaded_file=pdf_upload("v2.pdf"),
    )
    newest = current_versions(application)
    services.document_review(
        version=next(v for v in newest if v.document_id == old.document_id),
        actor=staff_user,
        accepted=True,
    )
    assert flag(application) is False
