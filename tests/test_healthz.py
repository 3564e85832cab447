"""/healthz against real endpoints: the configured ones answer, closed local ports do not."""

import functools
import os
import time

import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper

from registrasi import views
from registrasi.celery import app as celery_app

# Nothing listens on port 1: connecting there is refused at once, a real unreachable server.
CLOSED_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def real_broker():
    """The app's own broker with eager mode off, as in production; restored afterwards."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager = False
    yield conf
    conf.task_always_eager, conf.broker_url = saved


@pytest.fixture
def unreachable_database():
    """A PostgreSQL connection to a port nobody listens on (not registered in `connections`)."""
    settings_dict = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "registrasi",
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": "1",
        "OPTIONS": {"connect_timeout": views.CHECK_TIMEOUT},
    }
    configured = connections.configure_settings(
        {"default": connections.settings["default"], "down": settings_dict}
    )["down"]
    db = PostgresWrapper(configured, alias="healthz_unreachable")
    yield db
    db.close()


def test_it_answers_200_when_database_cache_and_broker_answer(client, db, settings):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    # Eager mode (no REDIS_URL) has no broker to reach; it must not count as a failure.
    assert body["checks"]["broker"] in {"ok", "skipped"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a real Redis (REDIS_URL)")
def test_it_reaches_the_real_broker_when_eager_mode_is_off(client, db, real_broker):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_it_answers_503_naming_the_broker_when_the_broker_is_down(client, db, real_broker):
    real_broker.broker_url = CLOSED_REDIS

    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"].startswith("error")
    assert body["checks"]["database"] == "ok"
    assert elapsed < 3


def test_it_answers_503_naming_the_cache_when_the_cache_is_down(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_REDIS,
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"] == "error: ConnectionError"
    assert body["checks"]["database"] == "ok"


def test_it_answers_503_naming_the_database_when_the_database_is_down(
    client, db, monkeypatch, unreachable_database
):
    monkeypatch.setitem(
        views.CHECKS,
        "database",
        functools.partial(views._check_database, db=unreachable_database),
    )

    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == "error: OperationalError"
    assert body["checks"]["cache"] == "ok"
    assert elapsed < 3


def test_it_does_not_leak_connection_details_in_the_public_answer(client, db, real_broker):
    real_broker.broker_url = CLOSED_REDIS

    content = client.get("/healthz").content.decode()

    assert "127.0.0.1" not in content
    assert "refused" not in content.lower()


def test_it_refuses_other_methods_than_get(client, db):
    assert client.post("/healthz").status_code == 405
