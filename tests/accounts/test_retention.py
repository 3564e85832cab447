"""The retention rules: declared once, listed on the retention page, applied by the daily scan.

Documents of rejected or withdrawn applications lose their files a period after the rejection
or withdrawal, inspection photos a period after their upload, audit and read events their IP
address; younger records are kept, and a second run changes nothing more."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from applications import services as application_services
from applications.models import DocumentVersion
from inspections import services as inspection_services
from inspections.models import EvidencePhoto
from registrasi.accounts import retention
from registrasi.accounts.models import ReadEvent, ReadKind
from registrasi.accounts.reads import record_read
from registrasi.accounts.retention import (
    DOCUMENT_DAYS,
    IP_ADDRESS_DAYS,
    PHOTO_DAYS,
    retention_apply,
    scanned_rules,
)
from registrasi.accounts.tasks import apply_retention_rules
from registrasi.audit.middleware import current_ip
from registrasi.audit.models import AuditEvent
from registrasi.audit.services import audit_record
from tests.applications.factories import ApplicationFactory, png_upload
from tests.inspections.factories import make_inspection

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"


def later(days):
    """Travel `days` ahead of now (the records were made now)."""
    return time_machine.travel(timezone.now() + timedelta(days=days), tick=False)


def versions_of(application):
    return list(DocumentVersion.objects.filter(document__application=application).order_by("pk"))


def stored(name):
    return bool(name) and default_storage.exists(name)


@pytest.fixture
def from_address():
    token = current_ip.set(IP)
    yield IP
    current_ip.reset(token)


@pytest.fixture(params=["rejected", "withdrawn"])
def ended(request, applicant, staff_user):
    if request.param == "rejected":
        return ApplicationFactory(created_by=applicant, rejected=True, staff=staff_user)
    draft = ApplicationFactory(created_by=applicant, with_documents=True)
    application_services.application_withdraw(application=draft, actor=applicant, reason="Test")
    return draft


@pytest.fixture
def photo(staff_user, organization):
    inspection = make_inspection("in_progress", organization=organization, staff=staff_user)
    return inspection_services.evidence_add(
        inspection=inspection, actor=inspection.inspector, uploaded_file=png_upload("agents.png")
    )


# --- one declaration -----------------------------------------------------------------------


def test_the_page_lists_exactly_the_rules_the_scan_applies(client):
    page = client.get(reverse("accounts:retention")).content.decode()
    applied = scanned_rules()

    assert {rule.key for rule in applied} == {
        "ended_application_documents",
        "inspection_photos",
        "ip_addresses",
    }
    assert page.count("Applied by the daily retention scan") == len(applied)
    for rule in applied:
        assert f'id="rule-{rule.key}"' in page
        assert str(rule.kind) in page and str(rule.period) in page
    assert set(retention_apply()) == {rule.key for rule in applied}


def test_the_scan_runs_daily_from_the_beat_schedule():
    from registrasi.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["accounts-apply-retention-rules"]
    assert entry["task"] == apply_retention_rules.name
    assert apply_retention_rules.name in app.tasks


# --- documents of rejected or withdrawn applications ---------------------------------------


def test_documents_are_kept_until_the_period_after_the_end(db, ended):
    versions = versions_of(ended)
    assert versions

    with later(DOCUMENT_DAYS - 1):
        result = apply_retention_rules.delay().get()

    assert result["ended_application_documents"] == 0
    for version in versions_of(ended):
        assert stored(version.file.name) and version.original_name


def test_documents_are_removed_after_the_period_and_a_second_run_changes_nothing(db, ended):
    before = versions_of(ended)

    with later(DOCUMENT_DAYS + 1):
        first = retention_apply()
        events = AuditEvent.objects.filter(action="document_purged").count()
        second = retention_apply()

    assert first["ended_application_documents"] == len(before)
    assert second["ended_application_documents"] == 0
    assert events == len(before)
    assert AuditEvent.objects.filter(action="document_purged").count() == events
    for old, new in zip(before, versions_of(ended), strict=True):
        assert not stored(old.file.name)
        assert (new.file.name, new.original_name) == ("", "")
        # What the law requires stays: the row, its fingerprint, size, uploader and review.
        assert (new.sha256, new.size, new.uploaded_by_id) == (
            old.sha256,
            old.size,
            old.uploaded_by_id,
        )
        assert new.review_status == old.review_status
    event = AuditEvent.objects.filter(action="document_purged").first()
    assert event.object_id == str(ended.pk)
    assert event.data["rule"] == "ended_application_documents"
    assert event.data["sha256"] in {version.sha256 for version in before}
    assert event.actor is None


def test_the_period_counts_from_the_rejection_not_the_upload(db, applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, under_review=True, staff=staff_user)
    with later(300):
        application_services.application_reject(
            application=application, actor=staff_user, reason="Not a call-center business."
        )
    with later(DOCUMENT_DAYS + 1):
        assert retention_apply()["ended_application_documents"] == 0
    with later(300 + DOCUMENT_DAYS + 1):
        assert retention_apply()["ended_application_documents"] == len(versions_of(application))
    assert all(not version.file for version in versions_of(application))


def test_documents_of_applications_still_going_are_kept(db, applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, under_review=True, staff=staff_user)

    with later(DOCUMENT_DAYS * 3):
        assert retention_apply()["ended_application_documents"] == 0

    assert all(stored(version.file.name) for version in versions_of(application))


def test_a_file_another_kept_row_names_stays_in_storage(db, ended, applicant, staff_user):
    kept = ApplicationFactory(created_by=applicant, under_review=True, staff=staff_user)
    shared = versions_of(kept)[0]
    # A renewal carries the stored file of the earlier application's version (same name).
    DocumentVersion.objects.filter(pk=versions_of(ended)[0].pk).update(file=shared.file.name)

    with later(DOCUMENT_DAYS + 1):
        retention_apply()

    assert not versions_of(ended)[0].file
    assert stored(shared.file.name)


# --- inspection photos ---------------------------------------------------------------------


def test_photos_are_kept_until_their_period(photo):
    with later(PHOTO_DAYS - 1):
        assert retention_apply()["inspection_photos"] == 0
    assert stored(EvidencePhoto.objects.get(pk=photo.pk).file.name)


def test_photos_are_removed_after_their_period_once(photo):
    with later(PHOTO_DAYS + 1):
        assert retention_apply()["inspection_photos"] == 1
        assert retention_apply()["inspection_photos"] == 0

    purged = EvidencePhoto.objects.get(pk=photo.pk)
    assert not stored(photo.file.name)
    assert (purged.file.name, purged.original_name) == ("", "")
    assert (purged.sha256, purged.size) == (photo.sha256, photo.size)
    event = AuditEvent.objects.get(action="evidence_purged")
    assert (event.object_id, event.data["photo"]) == (str(photo.inspection_id), photo.pk)


# --- IP addresses --------------------------------------------------------------------------


def make_events(user, organization):
    with transaction.atomic():
        event = audit_record(actor=user, action="test_event", obj=organization, note="kept")
    read = record_read(
        reader=user, obj=organization, kind=ReadKind.DOCUMENT, organization=organization
    )
    return event, read


def test_ip_addresses_are_kept_until_their_period(from_address, applicant, organization):
    event, read = make_events(applicant, organization)

    with later(IP_ADDRESS_DAYS - 1):
        assert retention_apply()["ip_addresses"] == 0

    assert AuditEvent.objects.get(pk=event.pk).ip_address == IP
    assert ReadEvent.objects.get(pk=read.pk).ip_address == IP


def test_ip_addresses_are_blanked_after_their_period_and_nothing_else_changes(
    from_address, applicant, organization
):
    event, read = make_events(applicant, organization)

    with later(IP_ADDRESS_DAYS + 1):
        assert retention_apply()["ip_addresses"] == 2
        audited = AuditEvent.objects.filter(action="retention_ip_addresses_blanked").count()
        assert retention_apply()["ip_addresses"] == 0

    blanked = AuditEvent.objects.get(pk=event.pk)
    assert blanked.ip_address is None
    assert (blanked.note, blanked.action, blanked.actor) == ("kept", "test_event", applicant)
    assert blanked.created_at == event.created_at
    assert ReadEvent.objects.get(pk=read.pk).ip_address is None
    assert audited == 1
    assert AuditEvent.objects.filter(action="retention_ip_addresses_blanked").count() == 1


def test_only_old_ip_addresses_are_blanked(from_address, applicant, organization):
    old, _ = make_events(applicant, organization)
    with later(IP_ADDRESS_DAYS - 10):
        young, _ = make_events(applicant, organization)
    with later(IP_ADDRESS_DAYS + 1):
        retention_apply()

    assert AuditEvent.objects.get(pk=old.pk).ip_address is None
    assert AuditEvent.objects.get(pk=young.pk).ip_address == IP


# --- pages that show a removed file --------------------------------------------------------


@pytest.fixture
def purged(db, applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, rejected=True, staff=staff_user)
    with later(DOCUMENT_DAYS + 1):
        retention_apply()
    return application


@pytest.mark.parametrize("person", ["applicant", "staff_user"])
def test_downloading_a_removed_document_says_the_retention_rule_removed_it(
    client, request, person, purged
):
    client.force_login(request.getfixturevalue(person))
    version = versions_of(purged)[0]

    response = client.get(reverse("applications:document_download", args=[version.pk]))

    assert response.status_code == 410
    body = response.content.decode()
    assert "removed under the retention rule" in body
    assert reverse("accounts:retention") in body
    assert not ReadEvent.objects.exists()


@pytest.mark.parametrize("person", ["outsider", "no_role_user"])
def test_a_removed_document_is_still_a_404_for_others(client, request, person, purged):
    client.force_login(request.getfixturevalue(person))
    version = versions_of(purged)[0]

    response = client.get(reverse("applications:document_download", args=[version.pk]))

    assert response.status_code == 404


def test_the_application_pages_say_the_documents_were_removed(
    client, applicant, staff_user, purged
):
    version = versions_of(purged)[0]
    link = reverse("applications:document_download", args=[version.pk])
    for person in (applicant, staff_user):
        client.force_login(person)
        page = client.get(reverse("applications:detail", args=[purged.pk])).content.decode()
        assert "Removed under the retention rule" in page
        assert f'href="{link}"' not in page
    # The staff page's timeline tells the removal, the rule and the fingerprint kept.
    assert "Document removed under the retention rule" in page
    assert f"SHA-256 fingerprint {version.sha256} is kept" in page


def test_a_removed_photo_says_so_on_the_inspection_and_its_download(client, staff_user, photo):
    with later(PHOTO_DAYS + 1):
        retention_apply()
    client.force_login(staff_user)

    download = client.get(reverse("inspections:evidence_download", args=[photo.pk]))
    page = client.get(reverse("inspections:detail", args=[photo.inspection_id])).content.decode()

    assert download.status_code == 410
    assert "removed under the retention rule" in download.content.decode()
    assert "Removed under the retention rule" in page
    assert not ReadEvent.objects.exists()


def test_the_purge_functions_live_in_their_apps():
    paths = {rule.key: rule.purge for rule in retention.RETENTION_RULES if rule.purge}
    assert paths["ended_application_documents"].startswith("applications.")
    assert paths["inspection_photos"].startswith("inspections.")


def test_the_inspection_page_says_a_document_was_removed(client, staff_user, organization):
    inspection = make_inspection("passed", organization=organization, staff=staff_user)
    application_services.application_reject(
        application=inspection.application, actor=staff_user, reason="False declarations."
    )
    with later(DOCUMENT_DAYS + 1):
        assert retention_apply()["ended_application_documents"]

    for person in (staff_user, inspection.inspector):
        client.force_login(person)
        page = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
        assert "Removed under the retention rule" in page
        for version in versions_of(inspection.application):
            link = reverse("applications:document_download", args=[version.pk])
            assert f'href="{link}"' not in page
