"""Reconciliation of certificate PDFs (a lost task, a failed render) and what staff see."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.models import Certificate
from certificates.tasks import reconcile_certificates
from registrasi.audit.models import AuditEvent
from tests.bulk import copies_of_certificate
from tests.certificates.factories import make_certificate

pytestmark = pytest.mark.django_db


def later(minutes):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes))


def failed(certificate):
    """As the render task leaves a certificate after its last retry."""
    Certificate.objects.filter(pk=certificate.pk).update(
        render_attempts=services.RENDER_MAX_ATTEMPTS, render_error="OSError: font missing"
    )
    return Certificate.objects.get(pk=certificate.pk)


@pytest.fixture
def lost(staff_user):
    """Issued, but its render task was lost (no PDF)."""
    return make_certificate(quick=True, staff=staff_user)


def test_reconciliation_enqueues_only_the_missing_pdfs(lost, staff_user):
    rendered = make_certificate(quick=True, staff=staff_user, with_pdf=True)
    given_up = failed(make_certificate(quick=True, staff=staff_user))
    with later(11):
        fresh = make_certificate(quick=True, staff=staff_user)  # its task may still be queued
        enqueued = reconcile_certificates.delay().get()
    assert enqueued == [lost.pk]
    assert rendered.pk not in enqueued and given_up.pk not in enqueued
    assert fresh.pk not in enqueued
    assert Certificate.objects.get(pk=lost.pk).has_pdf  # the eager task rendered it
    with later(30):
        assert reconcile_certificates.delay().get() == [fresh.pk]
        assert reconcile_certificates.delay().get() == []  # nothing left


def test_reconciliation_waits_a_few_minutes(lost):
    with later(5):
        assert services.certificates_reconcile() == []


def test_the_command_prints_what_it_enqueued(lost):
    out = StringIO()
    with later(11):
        call_command("reconcile_certificates", "--dry-run", stdout=out)
        assert not Certificate.objects.get(pk=lost.pk).has_pdf
        assert f"would enqueue: render_certificate_pdf({lost.pk}) {lost.number}" in out.getvalue()
        out = StringIO()
        call_command("reconcile_certificates", stdout=out)
    assert f"enqueued: render_certificate_pdf({lost.pk}) {lost.number}" in out.getvalue()
    assert "1 certificate PDF(s) enqueued." in out.getvalue()
    assert Certificate.objects.get(pk=lost.pk).has_pdf


def test_beat_runs_the_reconciliation():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["certificates-reconcile"]
    assert entry["task"] == "certificates.tasks.reconcile_certificates"
    assert settings.CELERY_BEAT_SCHEDULE["certificates-daily-scan"]["task"] == (
        "certificates.tasks.daily_scan"
    )


def test_staff_filter_the_list_on_failed_pdfs(client, staff_user, lost):
    broken = failed(make_certificate(quick=True, staff=staff_user))
    client.force_login(staff_user)
    page = client.get(reverse("certificates:staff_list"), {"pdf_failed": "on"}).content.decode()
    assert broken.number in page and lost.number not in page
    assert "PDF failed" in page
    everything = client.get(reverse("certificates:staff_list")).content.decode()
    assert broken.number in everything and lost.number in everything


@pytest.mark.parametrize("rows", [5, 50])
def test_the_failed_pdf_filter_has_a_fixed_query_count(
    client, staff_user, rows, django_assert_max_num_queries
):
    copies_of_certificate(failed(make_certificate(quick=True, staff=staff_user)), rows - 1)
    client.force_login(staff_user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("certificates:staff_list"), {"pdf_failed": "on"})
    assert response.status_code == 200


def test_staff_see_the_failure_and_render_again(
    client, staff_user, lost, django_capture_on_commit_callbacks
):
    broken = failed(lost)
    client.force_login(staff_user)
    page = client.get(reverse("certificates:detail", args=[broken.pk])).content.decode()
    assert "OSError: font missing" in page and "Render again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificates:render_again", args=[broken.pk]))
    assert response.status_code == 302
    broken.refresh_from_db()
    assert broken.has_pdf and broken.render_error == ""
    assert AuditEvent.objects.for_object(broken).get(action="render_again").actor == staff_user
    page = client.get(reverse("certificates:detail", args=[broken.pk])).content.decode()
    assert "Render again" not in page


def test_the_organization_sees_no_render_again_button_and_cannot_post(
    client, applicant, staff_user
):
    certificate = make_certificate(organization=applicant.organization, quick=True)
    broken = failed(certificate)
    client.force_login(applicant)
    page = client.get(reverse("certificates:detail", args=[broken.pk])).content.decode()
    assert "Render again" not in page
    response = client.post(reverse("certificates:render_again", args=[broken.pk]))
    assert response.status_code == 404
    assert Certificate.objects.get(pk=broken.pk).render_attempts == services.RENDER_MAX_ATTEMPTS


def test_render_again_only_by_post(client, staff_user, lost):
    client.force_login(staff_user)
    assert client.get(reverse("certificates:render_again", args=[lost.pk])).status_code == 405


def test_render_again_is_refused_when_the_pdf_exists(staff_user):
    certificate = make_certificate(quick=True, staff=staff_user, with_pdf=True)
    with pytest.raises(services.NotAllowed):
        services.certificate_render_again(certificate=certificate, actor=staff_user)
