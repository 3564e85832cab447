import pytest

from certificates.signing import make_self_signed
from tests.worker import celery_worker_redis  # noqa: F401  (the real-worker fixture)


@pytest.fixture(scope="session")
def signing_pair(tmp_path_factory):
    """One self-signed key and certificate for the whole test session."""
    folder = tmp_path_factory.mktemp("signing")
    key, cert = folder / "key.pem", folder / "cert.pem"
    make_self_signed(key, cert)
    return key, cert


@pytest.fixture(autouse=True)
def signing_key(settings, signing_pair):
    key, cert = signing_pair
    settings.CERTIFICATE_SIGNING_KEY = str(key)
    settings.CERTIFICATE_SIGNING_CERT = str(cert)
    settings.CERTIFICATE_SIGNING_KEY_PASSPHRASE = ""
    settings.CERTIFICATE_SIGNING_AUTOCREATE = False
    return signing_pair
