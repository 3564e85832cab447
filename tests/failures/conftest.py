# The real-worker fixture, and a signing key for the certificates these tests issue.
from tests.certificates.conftest import signing_key, signing_pair  # noqa: F401
from tests.worker import celery_worker_redis  # noqa: F401
