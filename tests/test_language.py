"""The portal speaks Indonesian by default and English on request."""

import pytest
from django.urls import reverse


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
