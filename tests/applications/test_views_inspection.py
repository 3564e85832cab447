"""The application pages once inspections are involved: the assigned inspector reads the
application but cannot act for the desk; after a failed inspection the applicant uploads new
document versions from the application page."""

import pytest
from django.urls import reverse

from applications.constants import ApplicationState
from applications.models import Application, DocumentVersion
from inspections.constants import InspectionState
from tests.applications.factories import HTML_BYTES, current_versions, pdf_upload
from tests.inspections.factories import make_inspection


@pytest.fixture
def scheduled(inspector, staff_user):
    return make_inspection(inspector=inspector, staff=staff_user)


@pytest.fixture
def failed(inspector, staff_user):
    return make_inspection(InspectionState.FAILED, inspector=inspector, staff=staff_user)


def test_the_assigned_inspector_reads_the_application_and_its_documents(
    client, inspector, scheduled
):
    application = scheduled.application
    version = current_versions(application)[0]
    client.force_login(inspector)

    page = client.get(reverse("applications:detail", args=[application.pk]))
    download = client.get(reverse("applications:document_download", args=[version.pk]))

    assert page.status_code == 200
    assert page.context["is_member"] is False
    assert reverse("applications:withdraw", args=[application.pk]) not in page.content.decode()
    assert download.status_code == 200


@pytest.mark.parametrize("name", ["start_review", "return", "accept", "reject", "withdraw"])
def test_the_assigned_inspector_gets_404_for_desk_and_applicant_actions(
    client, inspector, scheduled, name
):
    application = scheduled.application
    client.force_login(inspector)

    response = client.post(
        reverse(f"applications:{name}", args=[application.pk]),
        {"expected_state": application.state, "reason": "x", "return-reason": "x"},
    )

    assert response.status_code == 404
    assert Application.objects.get(pk=application.pk).state == application.state


def test_after_a_failed_inspection_the_application_page_offers_uploads(client, failed):
    application = Application.objects.get(pk=failed.application_id)
    assert application.state == ApplicationState.INSPECTION_FAILED
    client.force_login(application.created_by)

    response = client.get(reverse("applications:detail", args=[application.pk]))

    assert reverse("applications:upload", args=[application.pk]) in response.content.decode()


def test_after_a_failed_inspection_a_new_version_is_uploaded(client, failed):
    application = Application.objects.get(pk=failed.application_id)
    client.force_login(application.created_by)
    before = DocumentVersion.objects.filter(document__application=application).count()

    response = client.post(
        reverse("applications:upload", args=[application.pk]),
        {
            "expected_state": application.state,
            "document_type": "nib",
            "file": pdf_upload("new-deed.pdf"),
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("applications:detail", args=[application.pk])
    assert DocumentVersion.objects.filter(document__application=application).count() == before + 1


def test_after_a_failed_inspection_upload_errors_show_on_the_application_page(client, failed):
    application = Application.objects.get(pk=failed.application_id)
    client.force_login(application.created_by)
    before = DocumentVersion.objects.count()

    response = client.post(
        reverse("applications:upload", args=[application.pk]),
        {
            "expected_state": application.state,
            "document_type": "nib",
            "file": pdf_upload("deed.pdf", content=HTML_BYTES),
        },
    )

    assert response.status_code == 400
    assert "is not a PDF file" in response.content.decode()
    assert DocumentVersion.objects.count() == before
