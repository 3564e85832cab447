"""Tasks enqueued by name (to keep the services from importing their tasks module) name a
task Celery knows: a typo would sit in the queue and never run."""

import re
from pathlib import Path

import pytest

from registrasi import notifications
from registrasi.accounts.constants import TASKS
from registrasi.celery import app

ROOT = Path(__file__).resolve().parent.parent
BY_NAME = re.compile(r'TASKS \+ "(\w+)"')


def names_enqueued_by_accounts() -> set[str]:
    found = set()
    for path in (ROOT / "registrasi" / "accounts").glob("*.py"):
        found.update(TASKS + name for name in BY_NAME.findall(path.read_text()))
    return found


def test_the_accounts_enqueue_some_tasks_by_name():
    assert TASKS + "send_invitation_email" in names_enqueued_by_accounts()


@pytest.mark.parametrize("name", sorted(names_enqueued_by_accounts() | {notifications.SEND_TASK}))
def test_every_task_enqueued_by_name_is_registered(name):
    app.loader.import_default_modules()
    assert name in app.tasks
