"""A certificate PDF render whose process dies: the attempt still counts (after
RENDER_MAX_ATTEMPTS staff see "render failed"), and a PDF stored by a process killed before
its commit is found and removed (the next attempt, or the reconciliation)."""

import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from certificates import rendering, services
from certificates.models import Certificate
from tests.certificates.factories import make_certificate

ROOT = Path(__file__).resolve().parents[2]


def certificate_without_pdf(staff):
    with mock.patch("registrasi.outbox.hand_over_many"):  # nothing handed over: no render yet
        return make_certificate(quick=True, staff=staff)


def stored_pdfs() -> list[str]:
    if not default_storage.exists("certificates"):
        return []
    return default_storage.listdir("certificates")[1]


class WorkerDied(BaseException):
    """What the process sees of a kill: nothing after this line runs (not an Exception)."""


@pytest.mark.django_db(transaction=True)
def test_every_attempt_counts_even_when_the_process_dies_and_then_staff_see_it_failed(
    staff_user, client
):
    certificate = certificate_without_pdf(staff_user)
    # A dead run's claim on the render lapses after its lease; the task comes back later.
    lapse = rendering._claim_lease() + datetime.timedelta(seconds=1)
    start = timezone.now()
    with mock.patch("certificates.signing.render_certificate", side_effect=WorkerDied):
        for attempt in range(1, services.RENDER_MAX_ATTEMPTS + 1):
            with time_machine.travel(start + attempt * lapse), pytest.raises(WorkerDied):
                services.certificate_render_pdf(certificate_id=certificate.pk)
            assert Certificate.objects.get(pk=certificate.pk).render_attempts == attempt
        # Out of attempts: no more rendering, however often the task comes back.
        with time_machine.travel(start + (services.RENDER_MAX_ATTEMPTS + 1) * lapse):
            assert services.certificate_render_pdf(certificate_id=certificate.pk) == "failed"
    certificate.refresh_from_db()
    assert services.render_failed(certificate)
    assert certificate.pk not in services.certificates_reconcile(
        now=timezone.now() + datetime.timedelta(hours=1), dry_run=True
    )
    client.force_login(staff_user)
    page = client.get(reverse("certificates:detail", args=[certificate.pk])).content.decode()
    assert "PDF failed" in page and "did not finish" in page


KILL_AFTER_STORING = """
import os, signal, sys
import django
django.setup()
from django.core.files.storage import Storage
from certificates import rendering, services

real_save = Storage.save

def save_then_die(self, name, content, *args, **kwargs):
    stored = real_save(self, name, content, *args, **kwargs)
    print(stored, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # the file is stored, the transaction not committed

Storage.save = save_then_die
services.certificate_render_pdf(certificate_id=int(sys.argv[1]))
"""


def run_render_that_is_killed(certificate_id) -> tuple[int, str]:
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "registrasi.settings",
        "DATABASE_URL": url,
        "REGISTRASI_VAR_DIR": str(Path(settings.STORAGES["default"]["OPTIONS"]["location"]).parent),
        "CERTIFICATE_SIGNING_KEY": settings.CERTIFICATE_SIGNING_KEY,
        "CERTIFICATE_SIGNING_CERT": settings.CERTIFICATE_SIGNING_CERT,
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_STORING, str(certificate_id)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]
    return done.returncode, done.stdout.strip()


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="a second process must reach the test database: run with DATABASE_URL=postgres://…",
)
@pytest.mark.django_db(transaction=True)
def test_a_process_killed_between_storing_the_pdf_and_its_commit_leaves_no_orphan(staff_user):
    certificate = certificate_without_pdf(staff_user)
    returncode, stored = run_render_that_is_killed(certificate.pk)
    assert returncode == -signal.SIGKILL
    # The kill left a signed PDF in storage that no row points at ...
    assert stored and default_storage.exists(stored)
    certificate.refresh_from_db()
    assert not certificate.pdf
    # ... but the attempt was committed before rendering, naming the file it would write.
    assert certificate.render_attempts == 1
    assert certificate.pdf_pending_name == stored

    # The reconciliation, once the certificate has been quiet for a while, removes the orphan
    # and renders again (eager here): exactly one PDF remains, the recorded one.
    later = timezone.now() + datetime.timedelta(
        minutes=settings.CERTIFICATE_RECONCILE_AFTER_MINUTES + 1
    )
    with time_machine.travel(later, tick=False):
        assert services.certificates_reconcile() == [certificate.pk]
    assert not default_storage.exists(stored)
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.render_attempts == 2
    assert stored_pdfs() == [certificate.pdf.name.split("/")[-1]]
