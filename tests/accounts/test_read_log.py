"""The read log: every opening of a document, photo, report or certificate is recorded; staff
read it per application, an organization's owner for their own files, nobody else."""

import pytest
from django.urls import reverse

from registrasi.accounts.models import ReadEvent, ReadKind
from tests.applications.factories import ApplicationFactory, current_versions, png_upload
from tests.certificates.factories import make_certificate
from tests.certificates.test_views import attach_pdf
from tests.inspections.factories import make_inspection


@pytest.fixture
def application(applicant, staff_user):
    return ApplicationFactory(created_by=applicant, submitted=True, staff=staff_user)


def download_document(client, user, application):
    client.force_login(user)
    version = current_versions(application)[0]
    response = client.get(reverse("applications:document_download", args=[version.pk]))
    assert response.status_code == 200
    return version


def test_opening_a_document_is_recorded_with_who_and_what(client, applicant, application):
    version = download_document(client, applicant, application)
    event = ReadEvent.objects.get()
    assert (event.reader, event.kind) == (applicant, ReadKind.DOCUMENT)
    assert event.object_id == str(version.pk)
    assert (event.organization, event.application_id) == (application.organization, application.pk)


def test_a_refused_download_records_nothing(client, outsider, application):
    client.force_login(outsider)
    version = current_versions(application)[0]
    response = client.get(reverse("applications:document_download", args=[version.pk]))
    assert response.status_code == 404
    assert not ReadEvent.objects.exists()


def test_photos_and_certificates_are_recorded(client, staff_user, organization, applicant):
    inspection = make_inspection("in_progress", organization=organization, staff=staff_user)
    from inspections import services as inspection_services

    photo = inspection_services.evidence_add(
        inspection=inspection, actor=inspection.inspector, uploaded_file=png_upload()
    )
    client.force_login(staff_user)
    assert client.get(reverse("inspections:evidence_download", args=[photo.pk])).status_code == 200
    certificate = attach_pdf(make_certificate(organization=organization, staff=staff_user))
    client.force_login(applicant)
    assert client.get(reverse("certificates:download", args=[certificate.pk])).status_code == 200
    kinds = set(ReadEvent.objects.values_list("kind", flat=True))
    assert kinds == {ReadKind.PHOTO, ReadKind.CERTIFICATE}


def test_staff_see_who_read_an_applications_files(
    client, applicant, staff_user, application, outsider
):
    download_document(client, applicant, application)
    download_document(client, staff_user, application)
    page = client.get(reverse("accounts:application_reads", args=[application.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert applicant.email in body and staff_user.email in body
    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert reverse("accounts:application_reads", args=[application.pk]) in detail


def test_the_owner_sees_who_read_their_files(client, applicant, staff_user, application):
    download_document(client, staff_user, application)
    client.force_login(applicant)
    body = client.get(reverse("accounts:organization_reads")).content.decode()
    assert staff_user.email in body
    organization_page = client.get(reverse("accounts:organization")).content.decode()
    assert reverse("accounts:organization_reads") in organization_page


def test_another_owner_sees_only_their_own_organizations_reads(
    client, outsider, staff_user, application
):
    download_document(client, staff_user, application)
    client.force_login(outsider)
    response = client.get(reverse("accounts:organization_reads"))
    assert response.status_code == 200
    assert staff_user.email not in response.content.decode()


@pytest.mark.parametrize("person", ["member", "no_role_user", "staff_user", "inspector"])
def test_the_organization_log_is_a_404_for_anyone_but_an_owner(client, request, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("accounts:organization_reads")).status_code == 404


@pytest.mark.parametrize("person", ["applicant", "member", "outsider", "no_role_user", "inspector"])
def test_the_application_log_is_a_404_for_anyone_but_staff(client, request, person, application):
    client.force_login(request.getfixturevalue(person))
    url = reverse("accounts:application_reads", args=[application.pk])
    assert client.get(url).status_code == 404


@pytest.fixture
def reported(organization, staff_user, django_capture_on_commit_callbacks):
    """A submitted inspection of `organization` whose report PDF was rendered."""
    from inspections import services as inspection_services
    from tests.inspections.factories import record_all

    inspection = make_inspection("in_progress", organization=organization, staff=staff_user)
    record_all(inspection)
    with django_capture_on_commit_callbacks(execute=True):
        inspection_services.inspection_submit(inspection=inspection, actor=inspection.inspector)
    inspection.refresh_from_db()
    assert inspection.report.file
    return inspection


@pytest.mark.parametrize("person", ["applicant", "staff_user"])
def test_downloading_an_inspection_report_is_recorded(client, request, person, reported):
    reader = request.getfixturevalue(person)
    client.force_login(reader)

    response = client.get(reverse("inspections:report", args=[reported.pk]))

    assert response.status_code == 200
    event = ReadEvent.objects.get()
    assert (event.reader, event.kind) == (reader, ReadKind.REPORT)
    assert event.object_id == str(reported.report.pk)
    assert event.application_id == reported.application_id
    assert event.organization == reported.application.organization


@pytest.mark.parametrize("person", ["outsider", "no_role_user"])
def test_a_refused_report_download_records_nothing(client, request, person, reported):
    client.force_login(request.getfixturevalue(person))

    response = client.get(reverse("inspections:report", args=[reported.pk]))

    assert response.status_code == 404
    assert not ReadEvent.objects.exists()
