"""Login throttling (django-axes): per normalised email and per address, admin login and
wrong second-factor codes included; 429 with the time to wait; audited; staff unlock."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from registrasi.audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory
from tests.second_factor import authenticator_for, code_for

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:second_factor_verify")


def _fail(client, username, times, **extra):
    for _ in range(times):
        client.post(LOGIN, {"username": username, "password": "wrong"}, **extra)


def _fullwidth(text):
    """The same letters in their fullwidth forms: NFKC folds them back."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_every_spelling_of_an_email_shares_one_counter(client, applicant, settings):
    spellings = [
        applicant.email,
        applicant.email.upper(),
        _fullwidth(applicant.email),
        f" {applicant.email} ",
    ]
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": spellings[n % len(spellings)], "password": "wrong"})

    response = client.post(LOGIN, {"username": applicant.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_fullwidth_spelling_logs_in_like_the_plain_one(client, applicant):
    response = client.post(LOGIN, {"username": _fullwidth(applicant.email), "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(applicant.pk)


def test_five_failures_still_let_the_right_password_in(client, applicant, settings):
    _fail(client, applicant.email, settings.AXES_FAILURE_LIMIT - 1)

    response = client.post(LOGIN, {"username": applicant.email, "password": PASSWORD})

    assert response.status_code == 302


def test_an_address_that_fails_too_often_is_locked_for_every_account(client, applicant, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 8
    for n in range(8):
        client.post(
            LOGIN,
            {"username": f"guess{n}@example.test", "password": "x"},
            REMOTE_ADDR="203.0.113.9",
        )

    blocked = client.post(
        LOGIN, {"username": applicant.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    elsewhere = client.post(
        LOGIN, {"username": applicant.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.4"
    )

    assert blocked.status_code == 429
    assert elsewhere.status_code == 302


def test_the_admin_login_is_throttled_too(client, settings):
    admin = UserFactory(is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": admin.email, "password": "wrong"})

    response = client.post(url, {"username": admin.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_after_the_waiting_time(client, applicant, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _fail(client, applicant.email, settings.AXES_FAILURE_LIMIT)
        assert (
            client.post(LOGIN, {"username": applicant.email, "password": PASSWORD}).status_code
            == 429
        )
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        response = client.post(LOGIN, {"username": applicant.email, "password": PASSWORD})
    assert response.status_code == 302


def test_logins_failures_and_lockouts_are_audited(client, applicant, settings):
    _fail(client, applicant.email.upper(), settings.AXES_FAILURE_LIMIT)

    failures = AuditEvent.objects.filter(action="login_failed")
    assert failures.count() == settings.AXES_FAILURE_LIMIT
    assert failures.first().data["username"] == applicant.email
    assert failures.first().ip_address == "127.0.0.1"
    assert AuditEvent.objects.filter(action="login_locked_out").exists()

    fresh = UserFactory()
    client.post(LOGIN, {"username": fresh.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.6")
    assert AuditEvent.objects.filter(action="login", actor=fresh).exists()


def test_six_wrong_codes_lock_the_account_with_a_message(client, staff_user, settings):
    staff_user.language = "en"  # pages follow the person's language once they log in
    staff_user.save(update_fields=["language"])
    device = authenticator_for(staff_user)
    client.post(LOGIN, {"username": staff_user.email, "password": PASSWORD})
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(VERIFY, {"code": "000000"})
        assert response.status_code == 200
        assert response.context["form"].errors["code"]

    locked = client.post(VERIFY, {"code": "000000"})

    assert locked.status_code == 429
    assert "Try again in 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Even the right password and code do not open it now.
    again = client.post(LOGIN, {"username": staff_user.email, "password": PASSWORD})
    assert again.status_code == 429
    assert AuditEvent.objects.filter(action="login_locked_out").exists()
    assert code_for(device)  # the right code was never the problem


def test_a_right_code_clears_the_failures(client, staff_user, settings):
    device = authenticator_for(staff_user)
    client.post(LOGIN, {"username": staff_user.email, "password": PASSWORD})
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(VERIFY, {"code": "000000"})
    client.post(VERIFY, {"code": code_for(device)})
    client.post(reverse("accounts:logout"))

    client.post(LOGIN, {"username": staff_user.email, "password": PASSWORD})
    response = client.post(VERIFY, {"code": "000000"})

    assert response.status_code == 200


def test_password_reset_requests_are_limited_per_email(client, applicant, settings):
    url = reverse("accounts:password_reset")
    for n in range(5):
        client.post(url, {"email": applicant.email}, REMOTE_ADDR=f"198.51.100.{n}")

    blocked = client.post(
        url, {"email": _fullwidth(applicant.email.upper())}, REMOTE_ADDR="198.51.100.77"
    )

    assert blocked.status_code == 429


# --- staff unlock ----------------------------------------------------------------------------


def test_staff_see_a_locked_email_and_unlock_it(client, staff_user, applicant, settings):
    _fail(client, applicant.email, settings.AXES_FAILURE_LIMIT)
    client.force_login(staff_user)

    page = client.get(reverse("accounts:lockouts"))
    assert page.status_code == 200
    assert applicant.email in page.content.decode()

    response = client.post(reverse("accounts:lockouts"), {"username": applicant.email})
    assert response.status_code == 302
    unlocked = AuditEvent.objects.get(action="login_unlocked")
    assert unlocked.actor == staff_user
    assert unlocked.data["username"] == applicant.email

    client.post(reverse("accounts:logout"))
    assert (
        client.post(LOGIN, {"username": applicant.email, "password": PASSWORD}).status_code == 302
    )


def test_staff_unlock_an_address(client, staff_user, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for n in range(3):
        client.post(
            LOGIN, {"username": f"g{n}@example.test", "password": "x"}, REMOTE_ADDR="203.0.113.5"
        )
    client.force_login(staff_user)
    assert "203.0.113.5" in client.get(reverse("accounts:lockouts")).content.decode()

    client.post(reverse("accounts:lockouts"), {"ip_address": "203.0.113.5"}, follow=True)

    assert "203.0.113.5" not in client.get(reverse("accounts:lockouts")).content.decode()


@pytest.mark.parametrize("person", ["applicant", "inspector", "no_role_user"])
def test_only_ministry_staff_reach_the_lockouts(client, request, person, settings):
    _fail(client, "victim@example.test", settings.AXES_FAILURE_LIMIT)
    client.force_login(request.getfixturevalue(person))

    assert client.get(reverse("accounts:lockouts")).status_code == 403
    assert (
        client.post(reverse("accounts:lockouts"), {"username": "victim@example.test"}).status_code
        == 403
    )
    assert not AuditEvent.objects.filter(action="login_unlocked").exists()


def test_an_unlock_names_one_email_or_one_address(client, staff_user):
    client.force_login(staff_user)

    response = client.post(reverse("accounts:lockouts"), {})

    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="login_unlocked").exists()
