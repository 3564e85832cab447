from tests.worker import celery_worker_redis  # noqa: F401  (the real-worker fixture)
