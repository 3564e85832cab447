import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sandi-Baru-2026!"


def test_the_login_page_renders(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert reverse("accounts:password_reset") in response.content.decode()


def test_it_logs_in_with_email_in_any_case_and_sets_the_language(client, applicant):
    applicant.language = "en"
    applicant.save()

    response = client.post(
        reverse("accounts:login"), {"username": applicant.email.upper(), "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(applicant.pk)
    assert response.cookies["django_language"].value == "en"


def test_it_refuses_a_wrong_password(client, applicant):
    response = client.post(
        reverse("accounts:login"), {"username": applicant.email, "password": "wrong-password"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_it_refuses_an_inactive_account(client, applicant):
    applicant.is_active = False
    applicant.save()

    client.post(reverse("accounts:login"), {"username": applicant.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post(client, applicant):
    client.force_login(applicant)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_locks_the_account_after_six_failures(client, applicant, settings):
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": applicant.email, "password": "wrong"})

    response = client.post(url, {"username": applicant.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Try again in 15 minutes" in response.content.decode()
    assert response["Retry-After"] == str(15 * 60)


def test_a_password_reset_email_is_sent_and_its_link_works(client, applicant):
    response = client.post(reverse("accounts:password_reset"), {"email": applicant.email.upper()})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [applicant.email]
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/\S+/)", mail.outbox[0].body)
    assert link

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done.status_code == 302
    assert done.url == reverse("accounts:password_reset_complete")
    applicant.refresh_from_db()
    assert applicant.check_password(NEW_PASSWORD)

    # The link works once.
    again = client.get(link.group(1), follow=True)
    assert again.context["validlink"] is False


def test_the_reset_email_is_in_the_account_holders_language(client, applicant):
    applicant.language = "en"
    applicant.save()
    client.post(reverse("accounts:password_reset"), {"email": applicant.email})
    assert mail.outbox[0].subject == "Reset your Registrasi password"


def test_a_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client, db):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.test"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_logged_in_person_changes_their_password(client, applicant):
    client.force_login(applicant)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    applicant.refresh_from_db()
    assert applicant.check_password(NEW_PASSWORD)
    # Still logged in: the session hash was updated.
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_a_password_change_needs_the_old_password(client, applicant):
    client.force_login(applicant)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)


def test_the_login_limit_ignores_the_case_of_the_email(client, applicant, settings):
    url = reverse("accounts:login")
    for n in range(settings.AXES_FAILURE_LIMIT):
        email = applicant.email.upper() if n % 2 else applicant.email
        client.post(url, {"username": email, "password": "wrong"})

    response = client.post(url, {"username": applicant.email, "password": PASSWORD})

    assert response.status_code == 429


# The limiter counts per time window: freeze the clock so no window boundary falls inside.
@time_machine.travel("2026-11-28 10:00:00+07:00", tick=False)
def test_password_reset_requests_are_limited_per_client_address(client, db, settings):
    settings.USE_X_FORWARDED_FOR = True  # behind the deployment's proxy
    url = reverse("accounts:password_reset")
    for n in range(10):
        client.post(url, {"email": f"a{n}@example.test"}, HTTP_X_FORWARDED_FOR="203.0.113.7")

    blocked = client.post(url, {"email": "b@example.test"}, HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = client.post(url, {"email": "b@example.test"}, HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert blocked.status_code == 429
    assert "Try again in" in blocked.content.decode()
    assert other.status_code == 302


@pytest.mark.parametrize(
    "name",
    ["accounts:password_reset", "accounts:password_reset_done", "accounts:password_reset_complete"],
)
def test_the_password_reset_pages_render(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "<h1>" in response.content.decode()


def test_a_broken_reset_link_shows_a_clear_page(client, applicant):
    response = client.get(
        reverse("accounts:password_reset_confirm", args=["MQ", "bad-token"]), follow=True
    )
    assert response.status_code == 200
    assert response.context["validlink"] is False
    assert reverse("accounts:password_reset") in response.content.decode()


@pytest.mark.parametrize(
    "name", ["accounts:profile", "accounts:password_change", "accounts:members", "accounts:invite"]
)
def test_the_owner_pages_render(client, applicant, name):
    client.force_login(applicant)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "<h1>" in response.content.decode()
