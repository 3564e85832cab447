"""Rows that every test of a module reads, built once for the module instead of before each test.

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker, tmp_path_factory):
        yield from built_once(django_db_blocker, tmp_path_factory.mktemp("world"), build_the_rows)

The rows are written inside a transaction that stays open while the module's tests run and
is rolled back after the last one, so the next module starts from an empty database. Each test
(the `db` fixture: Django's TestCase) runs in a savepoint inside it, rolled back after the test:
every test still starts from the same rows, whatever the one before it wrote. Not for
`transactional_db` or `live_server` tests (they commit and empty the tables). Every later test
of the module sees the rows too, whether it asks for them or not: use it in a module whose
tests all read them.

While the rows are built, the settings the autouse fixtures of tests/conftest.py give each test
apply too: the fast password hasher, English, the in-memory mailbox, tasks run eagerly, private
files in the given folder (which stays the module's storage until the end: the tests may read
the files of the rows; the module overrides conftest's `_private_storage` to keep it).
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from registrasi.celery import app as celery_app

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOCMEM_EMAIL = "django.core.mail.backends.locmem.EmailBackend"


@contextmanager
def eager_tasks():
    """Tasks run in-process, errors propagating (tests/conftest.py's `_eager_celery`)."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates = saved


def private_storages(folder):
    """STORAGES with private files in `folder` (unless they go to an object store)."""
    storages = dict(settings.STORAGES)
    if storages["default"]["BACKEND"].endswith("FileSystemStorage"):
        storages["default"] = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder / "private"), "base_url": None},
        }
    return storages


def built_once(django_db_blocker, folder, build):
    """Yields what `build()` returns (a generator for a module-scoped fixture: `yield from`)."""
    with override_settings(STORAGES=private_storages(folder)):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                with (
                    override_settings(
                        PASSWORD_HASHERS=FAST_HASHERS,
                        LANGUAGE_CODE="en",
                        EMAIL_BACKEND=LOCMEM_EMAIL,
                    ),
                    translation.override("en"),
                    eager_tasks(),
                ):
                    built = build()
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        try:
            yield built
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
