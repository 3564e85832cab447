"""The portal speaks Indonesian by default and English on request; the language switch of a
logged-in person is saved to their profile (issue 15, point 7), so the next login keeps it."""

import pytest
from django.conf import settings
from django.urls import reverse

from registrasi.audit.models import AuditEvent
from tests.factories import PASSWORD


@pytest.fixture
def indonesian_default(settings):
    settings.LANGUAGE_CODE = "id"  # the project's setting; tests otherwise read English


def test_a_visitor_without_a_language_preference_gets_indonesian(client, db, indonesian_default):
    page = client.get(reverse("accounts:login")).content.decode()

    assert '<html lang="id">' in page
    assert "Masuk" in page
    assert "Log in" not in page


def test_a_browser_asking_for_english_gets_english(client, db, indonesian_default):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="en">' in page
    assert "Log in" in page


def test_the_project_default_is_indonesian():
    from registrasi import settings as project_settings

    assert project_settings.LANGUAGE_CODE == "id"


# The switch saves a logged-in person's choice --------------------------------------------------


def switch(client, language, **extra):
    return client.post(reverse("set_language"), {"language": language, "next": "/", **extra})


def test_a_logged_in_switch_is_saved_to_the_profile_and_kept_at_the_next_login(client, applicant):
    assert applicant.language == "id"
    client.force_login(applicant)
    response = switch(client, "en")
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.language == "en"
    assert AuditEvent.objects.filter(action="profile_updated", actor=applicant).exists()

    client.post(reverse("accounts:logout"))
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    client.post(reverse("accounts:login"), {"username": applicant.email, "password": PASSWORD})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_switch_after_login_is_what_the_next_page_uses(client, applicant):
    client.post(reverse("accounts:login"), {"username": applicant.email, "password": PASSWORD})
    switch(client, "en")
    assert '<html lang="en">' in client.get("/", follow=True).content.decode()


def test_an_unknown_language_changes_nothing(client, applicant):
    client.force_login(applicant)
    switch(client, "xx")
    applicant.refresh_from_db()
    assert applicant.language == "id"


def test_a_visitors_switch_changes_no_profile_and_still_works(client, applicant):
    response = switch(client, "en")
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    applicant.refresh_from_db()
    assert applicant.language == "id"


def test_the_switch_only_takes_a_post(client, applicant):
    client.force_login(applicant)
    client.get(reverse("set_language"), {"language": "en"})
    applicant.refresh_from_db()
    assert applicant.language == "id"
