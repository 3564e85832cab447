"""The demo loader gives the ministry's demo accounts a known TOTP key in development only,
and prints it with the logins."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from registrasi.accounts.management.commands.load_demo_data import DEMO_PASSWORD, DEMO_TOTP_KEY
from registrasi.accounts.models import User
from tests.second_factor import code_for

pytestmark = pytest.mark.django_db

MINISTRY = ["admin@registrasi.test", "staff@registrasi.test", "inspektur@registrasi.test"]


def load(*args):
    out = StringIO()
    call_command("load_demo_data", *args, stdout=out)
    return out.getvalue()


def test_in_development_ministry_demo_accounts_get_the_known_key_and_it_is_printed(db):
    output = load()

    for email in MINISTRY:
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        assert device.key == DEMO_TOTP_KEY
    assert not TOTPDevice.objects.filter(user__email="pemilik@nusantara.test").exists()
    assert "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ" in output
    assert "Code now:" in output


def test_running_it_twice_keeps_one_authenticator_each(db):
    load()
    load()

    for email in MINISTRY:
        assert TOTPDevice.objects.filter(user__email=email).count() == 1


def test_in_production_no_known_key_is_set_or_printed(db, settings):
    settings.PRODUCTION = True

    output = load("--allow-production")

    assert User.objects.filter(email__in=MINISTRY).count() == 3
    assert not TOTPDevice.objects.exists()
    assert "GEZD" not in output
    assert "set up their second factor at their first login" in output


def test_the_demo_staff_logs_in_with_the_printed_key(client, db):
    load()
    device = TOTPDevice.objects.get(user__email="staff@registrasi.test")

    client.post(
        reverse("accounts:login"),
        {"username": "staff@registrasi.test", "password": DEMO_PASSWORD},
    )
    verify = reverse("accounts:second_factor_verify")
    response = client.post(verify, {"code": code_for(device)})

    assert response.status_code == 302
    assert client.get(reverse("applications:staff_queue")).status_code == 200
