import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from registrasi.celery import app as celery_app
from tests.factories import (
    PASSWORD,
    InspectorFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
    make_applicant,
)
from tests.parallel import separate_redis_keys
from tests.second_factor import login_verified


def pytest_configure(config):
    """Before any test: each xdist worker's Redis keys apart from the others' (tests/parallel.py),
    and, in the process that starts the workers, the development signing pair written once
    (two workers each writing it on first use could read the other's half-written pair)."""
    separate_redis_keys(celery_app)
    if not hasattr(config, "workerinput"):
        _write_development_signing_pair()


def _write_development_signing_pair():
    from certificates.signing import key_paths, make_self_signed

    key, cert = key_paths()
    if settings.CERTIFICATE_SIGNING_AUTOCREATE and not (key.exists() or cert.exists()):
        make_self_signed(key, cert)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Every test writes private files into its own folder, never into var/."""
    if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
        storages = dict(settings.STORAGES)
        storages["default"] = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        }
        settings.STORAGES = storages


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Hashing a password the production way costs most of a second; tests make hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read English (the source language) unless they ask for another: the portal itself
    defaults to Indonesian, which tests/test_language.py checks."""
    settings.LANGUAGE_CODE = "en"
    # A request leaves its language active in the thread; start every test from English.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _eager_celery():
    """Most tests run tasks in-process, errors propagating, even when REDIS_URL is set.
    Tests marked `worker` switch this off and talk to a real worker through Redis."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


@pytest.fixture(autouse=True)
def _second_factor_on_force_login(monkeypatch):
    """`client.force_login(staff_user)` and `client.login(...)` log in as if the code had been
    typed too: tests of other features need not go through the second factor. Tests of the
    second factor itself use tests.second_factor.plain_force_login."""
    monkeypatch.setattr(Client, "_login", login_verified)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def organization(db):
    return OrganizationFactory()


@pytest.fixture
def other_organization(db):
    return OrganizationFactory()


@pytest.fixture
def applicant(organization):
    """The owner of `organization`."""
    return make_applicant(organization, owner=True)


@pytest.fixture
def member(organization):
    return make_applicant(organization, owner=False)


@pytest.fixture
def outsider(other_organization):
    """The owner of another organization."""
    return make_applicant(other_organization, owner=True)


@pytest.fixture
def staff_user(db):
    return StaffFactory()


@pytest.fixture
def inspector(db):
    return InspectorFactory()


@pytest.fixture
def no_role_user(db):
    return UserFactory()
