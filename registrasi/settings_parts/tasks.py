"""The cache and Celery (Redis when REDIS_URL is set; the periodic tasks join
CELERY_BEAT_SCHEDULE from the parts that own them)."""

from registrasi.settings_parts.core import env
from registrasi.settings_parts.web import TIME_ZONE

# Cache and Celery: Redis when REDIS_URL is set, otherwise local memory and eager tasks.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, falling back to a per-process cache while Redis is down (registrasi.cache).
            "BACKEND": "registrasi.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"*.render_*": {"queue": "pdf"}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message a worker took and did not acknowledge (the worker died) goes back to the queue
# after this many seconds: longer than the longest task (CELERY_TASK_TIME_LIMIT) and the
# longest retry countdown (EMAIL_RETRY_BACKOFF_MAX, render backoff 600 s), so a message is not
# handed out twice while it is still running or waiting for its retry; short enough that a
# lost worker's work comes back within minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
    # Workers look for such messages every this many seconds (kombu's default: 100).
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=60),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 3,
}
# With the broker down, publishing gives up after about a second (the outbox keeps the task).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {}
