"""Test helpers for the second factor: a confirmed authenticator with a known key, and a
logged-in session that has already typed its code."""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from registrasi.accounts import second_factor

# RFC 6238's test key ("12345678901234567890"), hex as django-otp stores it.
KNOWN_KEY = "3132333435363738393031323334353637383930"

_plain_login = Client._login


def authenticator_for(user, key=KNOWN_KEY):
    """The user's confirmed authenticator (made with `key` when there is none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name=second_factor.AUTHENTICATOR_NAME, key=key, confirmed=True
    )


def code_for(device, at=None, step_offset=0):
    """The code an authenticator app would show now (or `step_offset` steps later)."""
    moment = (time.time() if at is None else at) + step_offset * device.step
    return f"{_totp_at(device, moment):0{device.digits}d}"


def fresh_code_for(device):
    """A code the device has not accepted yet: codes are single use, so a second login within
    the same 30 seconds takes the next one (within the accepted tolerance of one step)."""
    device.refresh_from_db()
    current = int((time.time() - device.t0) // device.step)
    return code_for(device, step_offset=max(0, device.last_t + 1 - current))


def _totp_at(device, moment):
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    generator.time = moment
    return generator.token()


def verify_session(client, user):
    """Mark the client's login as verified with the user's authenticator."""
    device = authenticator_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[second_factor.PENDING_SESSION_KEY] = False
    session.save()
    return device


def plain_force_login(client, user, backend=None):
    """force_login without the second factor: the session still owes a code."""
    backend = backend or "registrasi.accounts.backends.EmailBackend"
    _plain_login(client, user, backend)


def login_verified(self, user, backend=None):
    """Client._login (behind force_login and login) for the test suite: people who must use a
    second factor are logged in as if they had typed their code, so tests of other features
    need not do it."""
    _plain_login(self, user, backend)
    if second_factor.required_for(user) or second_factor.has_second_factor(user):
        verify_session(self, user)
