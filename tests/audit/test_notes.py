"""System notes are rendered in the reader's language (issue 9, item 10).

A service stores what happened (the action and its parameters); the history, timeline or
email renders the sentence when shown. Text typed by people stays as typed; events written
before the change show what they stored.
"""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from certificates import services
from certificates.models import Certificate
from registrasi.audit.models import AuditEvent
from registrasi.audit.notes import note_renderer, render_note
from registrasi.audit.services import audit_record
from registrasi.notifications import send_event_emails
from tests.certificates.factories import make_certificate

REPLACED_EN = "Replaced by certificate"
REPLACED_ID = "Digantikan oleh sertifikat"


@pytest.fixture
def superseded_in_indonesian(organization, staff_user):
    """A certificate replaced after a change report, the approval made in Indonesian."""
    with translation.override("id"):
        return make_certificate(
            "superseded", organization=organization, quick=True, staff=staff_user
        )


@pytest.fixture
def superseded_in_english(organization, staff_user):
    with translation.override("en"):
        return make_certificate(
            "superseded", organization=organization, quick=True, staff=staff_user
        )


def _history_page(client, staff_user, certificate, language):
    client.force_login(staff_user)
    url = reverse("certificates:detail", args=[certificate.pk])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def _successor(certificate):
    return Certificate.objects.filter(supersedes=certificate).get()


def test_a_note_written_in_indonesian_reads_in_english(
    client, staff_user, superseded_in_indonesian
):
    page = _history_page(client, staff_user, superseded_in_indonesian, "en")

    successor = _successor(superseded_in_indonesian)
    assert f"{REPLACED_EN} {successor.number}" in page
    assert REPLACED_ID not in page


def test_a_note_written_in_english_reads_in_indonesian(client, staff_user, superseded_in_english):
    page = _history_page(client, staff_user, superseded_in_english, "id")

    successor = _successor(superseded_in_english)
    assert f"{REPLACED_ID} {successor.number}" in page
    assert REPLACED_EN not in page


def test_the_event_stores_what_happened_not_a_sentence(superseded_in_indonesian):
    event = AuditEvent.objects.for_object(superseded_in_indonesian).get(action="supersede")
    successor = _successor(superseded_in_indonesian)

    assert event.note == ""
    assert event.data["number"] == successor.number
    assert event.data["superseded_by"] == successor.pk


def test_the_daily_scan_notes_render_in_the_readers_language(organization, staff_user):
    certificate = make_certificate(organization=organization, quick=True, staff=staff_user)
    services.certificate_suspend(
        certificate=certificate,
        actor=staff_user,
        reason="Unsolicited calls confirmed.",
        until=services.today() + datetime.timedelta(days=3),
    )
    later = services.today() + datetime.timedelta(days=5)
    with translation.override("id"), time_machine.travel(later):
        services.suspensions_lift_ended(on=later)
    event = AuditEvent.objects.for_object(certificate).get(action="lift_suspension")

    with translation.override("en"):
        assert render_note(event) == "The suspension ended."
    with translation.override("id"):
        assert render_note(event) == "Penangguhan telah berakhir."


def test_the_scans_reinstatement_reason_reads_in_each_members_language(
    organization, applicant, member, staff_user
):
    """The reinstatement the daily scan records has no author: its reason is the system's
    sentence, and the email says it in each member's language."""
    applicant.language, member.language = "en", "id"
    applicant.save(update_fields=["language"])
    member.save(update_fields=["language"])
    certificate = make_certificate(organization=organization, quick=True, staff=staff_user)
    services.certificate_suspend(
        certificate=certificate,
        actor=staff_user,
        reason="Unsolicited calls confirmed.",
        until=services.today() + datetime.timedelta(days=3),
    )
    later = services.today() + datetime.timedelta(days=5)
    with translation.override("id"), time_machine.travel(later):
        services.suspensions_lift_ended(on=later)
    lifted = AuditEvent.objects.for_object(certificate).get(action="lift_suspension")
    mail.outbox.clear()

    send_event_emails(lifted.pk)

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "The suspension ended on its planned date." in bodies[applicant.email]
    assert "Penangguhan berakhir pada tanggal yang direncanakan." in bodies[member.email]


def test_a_reason_typed_by_a_person_is_shown_as_typed(
    client, organization, staff_user, superseded_in_english
):
    certificate = make_certificate(organization=organization, quick=True, staff=staff_user)
    services.certificate_revoke(
        certificate=certificate, actor=staff_user, reason="Izin usaha dicabut oleh OSS."
    )

    for language in ("en", "id"):
        page = _history_page(client, staff_user, certificate, language)
        assert "Izin usaha dicabut oleh OSS." in page


def test_an_event_stored_before_the_change_shows_its_stored_note(db, staff_user):
    stored = f"{REPLACED_ID} CC-2026-000001 setelah permohonan REG-1 disetujui."
    with transaction.atomic():
        event = audit_record(
            actor=staff_user, action="supersede", note=stored, data={"superseded_by": 1}
        )

    with translation.override("en"):
        assert render_note(event) == stored


def test_another_organization_cannot_read_the_history(client, outsider, superseded_in_english):
    client.force_login(outsider)
    url = reverse("certificates:detail", args=[superseded_in_english.pk])
    assert client.get(url).status_code == 404


def test_an_action_has_one_renderer():
    def another(data):
        return "Something else."

    with pytest.raises(ImproperlyConfigured):
        note_renderer("supersede")(another)
