"""DJANGO_ENV=production refuses to start half-configured, and is clean under check --deploy.

Settings are read once per process, so each case runs `manage.py check` in a subprocess
with an environment built from scratch (nothing inherited from the test run's own env).
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run_check(tmp_path):
    def run(*args, **env_vars):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "REGISTRASI_VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SETTINGS_MODULE": "registrasi.settings",
            **env_vars,
        }
        return subprocess.run(
            [sys.executable, "manage.py", "check", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def strong_key():
    return secrets.token_urlsafe(64)


def test_it_refuses_to_start_in_production_without_secret_key(run_check):
    result = run_check(DJANGO_ENV="production", ALLOWED_HOSTS="example.gov.id")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DJANGO_ENV=production" in result.stderr


def test_it_refuses_to_start_in_production_with_a_weak_secret_key(run_check):
    result = run_check(DJANGO_ENV="production", ALLOWED_HOSTS="example.gov.id", SECRET_KEY="x")

    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_it_refuses_to_start_in_production_without_allowed_hosts(run_check):
    result = run_check(DJANGO_ENV="production", SECRET_KEY=strong_key())

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set when DJANGO_ENV=production" in result.stderr


def test_it_refuses_to_start_in_production_with_empty_allowed_hosts(run_check):
    # docker compose passes an unset `${ALLOWED_HOSTS}` as an empty string.
    result = run_check(DJANGO_ENV="production", SECRET_KEY=strong_key(), ALLOWED_HOSTS="")

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def production(**overrides):
    """Everything production needs; a test leaves out or changes one variable."""
    env_vars = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": strong_key(),
        "ALLOWED_HOSTS": "example.gov.id",
        "SITE_URL": "https://example.gov.id",
        "EMAIL_URL": "smtp://relay.example.gov.id:587",
        "CERTIFICATE_SIGNING_KEY": "/run/secrets/signing-key.pem",
        "CERTIFICATE_SIGNING_CERT": "/run/secrets/signing-cert.pem",
        "BILLING_BACKEND": "http",
        "BILLING_GATEWAY_URL": "https://billing.example.gov.id",
        "BILLING_CALLBACK_SECRET": strong_key(),
        **overrides,
    }
    return {name: value for name, value in env_vars.items() if value is not None}


def test_it_refuses_to_start_in_production_without_a_mail_server(run_check):
    result = run_check(**production(EMAIL_URL=None))

    assert result.returncode != 0
    assert "EMAIL_URL must name a real mail server" in result.stderr


@pytest.mark.parametrize("url", ["consolemail://", "dummymail://", "filemail:///tmp/mail"])
def test_it_refuses_to_print_emails_to_the_log_in_production(run_check, url):
    result = run_check(**production(EMAIL_URL=url))

    assert result.returncode != 0
    assert "EMAIL_URL" in result.stderr


@pytest.mark.parametrize("name", ["CERTIFICATE_SIGNING_KEY", "CERTIFICATE_SIGNING_CERT"])
def test_it_refuses_to_start_in_production_with_the_development_signing_pair(run_check, name):
    result = run_check(**production(**{name: None}))

    assert result.returncode != 0
    assert f"{name} must be set when DJANGO_ENV=production" in result.stderr


def test_it_refuses_the_development_secret_key_in_production(run_check):
    result = run_check(**production(SECRET_KEY="dev-only-insecure-key-change-me"))

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_passes_the_deployment_checks_when_production_is_configured(run_check):
    result = run_check("--deploy", "--fail-level", "WARNING", **production())

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_it_starts_in_development_without_any_configuration(run_check):
    result = run_check()

    assert result.returncode == 0, result.stderr
