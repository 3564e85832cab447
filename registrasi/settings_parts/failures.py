"""Failures: the outbox relay, retention, and retrying emails."""

from celery.schedules import crontab

from registrasi.settings_parts.core import env
from registrasi.settings_parts.tasks import CELERY_BEAT_SCHEDULE

# Outbox rows older than this are handed to Celery by the relay (younger ones are still being
# handed over right after their commit). The relay runs every minute.
OUTBOX_RELAY_AFTER_SECONDS = env.int("OUTBOX_RELAY_AFTER_SECONDS", default=30)
CELERY_BEAT_SCHEDULE["accounts-expire-signups"] = {
    "task": "registrasi.accounts.tasks.expire_signup_requests",
    "schedule": crontab(hour=0, minute=30),
}
# Daily: apply the retention rules (registrasi.accounts.retention, the same list the retention
# page shows): files of ended applications, inspection photos, IP addresses in the logs.
CELERY_BEAT_SCHEDULE["accounts-apply-retention-rules"] = {
    "task": "registrasi.accounts.tasks.apply_retention_rules",
    "schedule": crontab(hour=1, minute=0),
    "options": {"expires": 6 * 60 * 60},
}
CELERY_BEAT_SCHEDULE["outbox-relay"] = {
    "task": "registrasi.outbox.tasks.relay_outbox",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# Emails: a mail server that accepts and never answers is cut off after EMAIL_TIMEOUT seconds
# (the task then retries). Failed sends are retried with exponential backoff (at most
# EMAIL_RETRY_BACKOFF_MAX seconds apart) for EMAIL_RETRY_HOURS, then shown to staff as failed.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_RETRY_HOURS = env.int("EMAIL_RETRY_HOURS", default=24)
EMAIL_RETRY_BACKOFF_MAX = env.int("EMAIL_RETRY_BACKOFF_MAX", default=600)
EMAIL_TASK_SOFT_TIME_LIMIT = env.int("EMAIL_TASK_SOFT_TIME_LIMIT", default=90)
