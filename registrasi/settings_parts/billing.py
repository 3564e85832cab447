"""Billing: PNBP billing codes (applications.billing), the simulator or the real gateway."""

from celery.schedules import crontab

from registrasi.settings_parts.core import (
    DEBUG,
    PRODUCTION,
    ImproperlyConfigured,
    env,
    required_in_production,
)
from registrasi.settings_parts.tasks import CELERY_BEAT_SCHEDULE

# "simulator": the embedded billing system (issues codes itself, offers a "pay as a bank
# would" page); "http": the real billing gateway at BILLING_GATEWAY_URL.
BILLING_BACKEND = env.str("BILLING_BACKEND", default="simulator")
BILLING_GATEWAY_URL = env.str("BILLING_GATEWAY_URL", default="").rstrip("/")
BILLING_GATEWAY_TOKEN = env.str("BILLING_GATEWAY_TOKEN", default="")
BILLING_GATEWAY_TIMEOUT = env.float("BILLING_GATEWAY_TIMEOUT", default=10.0)
# The shared secret of the callback's HMAC-SHA256 signature.
BILLING_CALLBACK_SECRET = env.str(
    "BILLING_CALLBACK_SECRET",
    default=required_in_production("BILLING_CALLBACK_SECRET", "dev-only-billing-secret"),
)
BILLING_CALLBACK_MAX_AGE_SECONDS = 300
BILLING_CALLBACK_MAX_BYTES = env.int("BILLING_CALLBACK_MAX_BYTES", default=16 * 1024)
BILLING_CODE_VALIDITY_DAYS = env.int("BILLING_CODE_VALIDITY_DAYS", default=7)
# Applicants may use the simulator's payment page (development); staff always may.
BILLING_SIMULATOR_FOR_APPLICANTS = env.bool("BILLING_SIMULATOR_FOR_APPLICANTS", default=DEBUG)
# The simulator's callback goes to this site's own callback URL unless set.
BILLING_SIMULATOR_CALLBACK_URL = env.str("BILLING_SIMULATOR_CALLBACK_URL", default="")
if BILLING_BACKEND not in ("simulator", "http"):
    raise ImproperlyConfigured("BILLING_BACKEND must be 'simulator' or 'http'.")
if (
    PRODUCTION
    and BILLING_BACKEND == "simulator"
    and not env.bool("BILLING_ALLOW_SIMULATOR_IN_PRODUCTION", default=False)
):
    raise ImproperlyConfigured(
        "BILLING_BACKEND is the simulator in production; set BILLING_BACKEND=http (and "
        "BILLING_GATEWAY_URL), or BILLING_ALLOW_SIMULATOR_IN_PRODUCTION=true to run it "
        "knowingly; refusing to start."
    )
if BILLING_BACKEND == "http" and not BILLING_GATEWAY_URL:
    raise ImproperlyConfigured("BILLING_BACKEND=http needs BILLING_GATEWAY_URL.")
CELERY_BEAT_SCHEDULE["billing-void-expired-codes"] = {
    "task": "applications.billing.tasks.void_expired_codes",
    "schedule": crontab(hour=0, minute=45),
    "options": {"expires": 6 * 60 * 60},
}
CELERY_BEAT_SCHEDULE["billing-retry-pending-codes"] = {
    "task": "applications.billing.tasks.retry_pending_codes",
    "schedule": crontab(minute="*/10"),
    "options": {"expires": 9 * 60},
}
