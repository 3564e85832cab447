"""Login failures are counted in the database, so separate worker processes share one
counter: three wrong passwords in each of two processes lock the account for everyone."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two processes need a shared server database (DATABASE_URL=postgres://...)",
    ),
]

# One worker: three wrong passwords through the real login view, in its own process.
WORKER = textwrap.dedent(
    """
    import sys
    import django

    django.setup()
    from django.test import Client

    email = sys.argv[1]
    client = Client(REMOTE_ADDR=sys.argv[2])
    codes = [
        client.post("/accounts/login/", {"username": email, "password": "wrong"}).status_code
        for _ in range(3)
    ]
    print(codes)
    """
)


def _database_url():
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _start_worker(email, address):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "registrasi.settings",
        "DATABASE_URL": _database_url(),
        "AXES_ENABLED": "true",
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, email, address],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_share_the_failure_counter(client, settings):
    user = UserFactory()
    # Different spellings and addresses in each process: the email counter still adds up.
    workers = [
        _start_worker(user.email.upper(), "198.51.100.1"),
        _start_worker(f" {user.email} ", "198.51.100.2"),
    ]
    statuses = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        statuses += [int(code) for code in out.strip().strip("[]").split(",")]

    # Whichever process made the sixth failure saw the lockout (429): one counter for both.
    # (If both last failures commit before either reads the sum, both see it.)
    assert len(statuses) == 6
    assert 1 <= statuses.count(429) <= 2
    assert statuses.count(200) >= 4

    total = AccessAttempt.objects.filter(username=user.email).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    assert total == 2 * 3 == settings.AXES_FAILURE_LIMIT

    response = client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.3",
    )
    assert response.status_code == 429
