"""generate_scale: bulk rows in every state for measuring; never with production settings."""

import pytest
from django.core.management import CommandError, call_command

from applications.constants import ApplicationState
from applications.models import Application, DocumentVersion, Invoice
from certificates.constants import CertificateState
from certificates.models import Certificate
from inspections.models import Finding, Inspection

pytestmark = pytest.mark.django_db


def test_it_refuses_to_run_with_production_settings(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("generate_scale", "--applications", "10")
    assert not Application.objects.exists()


def test_it_fills_every_state_with_related_rows():
    call_command("generate_scale", "--applications", "60", "--certificates", "30")
    assert Application.objects.count() == 60
    assert set(Application.objects.values_list("state", flat=True)) == set(ApplicationState.values)
    assert Certificate.objects.count() == 30
    assert set(Certificate.objects.values_list("state", flat=True)) >= {
        CertificateState.ACTIVE,
        CertificateState.SUPERSEDED,
    }
    assert DocumentVersion.objects.exists() and Invoice.objects.exists()
    assert Inspection.objects.exists() and Finding.objects.exists()
    # Every superseded certificate has its successor (a renewal of it).
    for old in Certificate.objects.filter(state=CertificateState.SUPERSEDED):
        assert old.superseded_by.get().application.basis_certificate_id == old.pk


def test_it_adds_to_a_filled_database_only_when_forced():
    call_command("generate_scale", "--applications", "5")
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_scale", "--applications", "5")
    call_command("generate_scale", "--applications", "5", "--force")
    assert Application.objects.count() == 10
