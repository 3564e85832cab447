"""Degrade, do not fall: the cache down (rate limits counted locally), the database down
(a branded 503 with Retry-After), the file storage refusing a write (503, try again)."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse

from registrasi import cache as fallback_cache
from tests.applications.factories import ApplicationFactory, pdf_upload

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings, monkeypatch):
    """The cache is the production backend pointed at a Redis that refuses connections."""
    monkeypatch.setattr(fallback_cache, "RETRY_SECONDS", 60)
    settings.CACHES = {
        "default": {
            "BACKEND": "registrasi.cache.FallbackRedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_with_redis_set_the_deployment_uses_the_falling_back_cache():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {
        **os.environ,
        "REDIS_URL": UNREACHABLE_REDIS,
        "DJANGO_SETTINGS_MODULE": "registrasi.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "registrasi.cache.FallbackRedisCache"


@pytest.mark.django_db
def test_with_the_cache_down_verify_registry_and_login_answer(client, redis_down, caplog):
    caplog.set_level(logging.WARNING, logger="registrasi.cache")
    for url in ("/verify/", "/verify/KOMINFO-CC-2026-000001/", "/registry/", "/accounts/login/"):
        assert client.get(url).status_code == 200, url
    response = client.post("/accounts/login/", {"username": "a@example.test", "password": "x"})
    assert response.status_code == 200  # the form again, with its error
    assert "Redis does not answer" in caplog.text


@pytest.mark.django_db
def test_with_the_cache_down_the_rate_limit_still_holds_per_process(client, redis_down, settings):
    settings.CERTIFICATES_PUBLIC_RATE = "3/m"
    codes = [client.get("/registry/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def break_the_database(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    monkeypatch.setattr(CursorWrapper, "executemany", refuse)


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_with_the_database_down_pages_answer_a_branded_503(settings, monkeypatch, applicant, debug):
    settings.DEBUG = debug
    visitor, member = Client(raise_request_exception=False), Client(raise_request_exception=False)
    member.force_login(applicant)
    break_the_database(monkeypatch)
    for client, url in ((visitor, "/registry/"), (member, "/applications/"), (member, "/")):
        response = client.get(url)
        assert response.status_code == 503, url
        assert response["Retry-After"] == "30"
        text = response.content.decode()
        assert "cannot reach its database" in text
        assert "Traceback" not in text and "127.0.0.1" not in text


@pytest.mark.django_db
def test_a_storage_write_error_on_upload_answers_503_and_keeps_nothing(applicant, monkeypatch):
    application = ApplicationFactory(created_by=applicant)

    def refuse(self, name, content):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", refuse)
    client = Client(raise_request_exception=False)
    client.force_login(applicant)
    response = client.post(
        reverse("applications:upload", args=[application.pk]),
        {
            "document_type": "nib",
            "file": pdf_upload(),
            "expected_state": application.state,
        },
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "could not be stored" in response.content.decode()
    assert not application.documents.exists()
