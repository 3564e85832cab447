"""Certificates: the signing key and signatory, numbers, validity, the daily scan and the
PDF reconciliation."""

from celery.schedules import crontab

from registrasi.settings_parts.core import DEBUG, PRODUCTION, VAR_DIR, env
from registrasi.settings_parts.tasks import CELERY_BEAT_SCHEDULE

# The PAdES signing key and certificate (PEM). `manage.py make_signing_key` writes a
# self-signed pair for development and tests; production mounts the ministry's own.
CERTIFICATE_SIGNING_KEY = env.str(
    "CERTIFICATE_SIGNING_KEY", default=str(VAR_DIR / "signing" / "signing-key.pem")
)
CERTIFICATE_SIGNING_CERT = env.str(
    "CERTIFICATE_SIGNING_CERT", default=str(VAR_DIR / "signing" / "signing-cert.pem")
)
CERTIFICATE_SIGNING_KEY_PASSPHRASE = env.str("CERTIFICATE_SIGNING_KEY_PASSPHRASE", default="")
# The official who signs: printed under the certificate's signature block. The signing
# certificate's subject must name the same person (CN) and employee number (serialNumber):
# `make_signing_key` writes it so, and a system check compares a mounted one.
CERTIFICATE_SIGNATORY_NAME = env.str(
    "CERTIFICATE_SIGNATORY_NAME", default="Penandatangan Pengembangan (development)"
)
CERTIFICATE_SIGNATORY_TITLE = env.str(
    "CERTIFICATE_SIGNATORY_TITLE", default="Direktur Pengendalian Aplikasi Informatika"
)
CERTIFICATE_SIGNATORY_NIP = env.str("CERTIFICATE_SIGNATORY_NIP", default="199001012020121001")
CERTIFICATE_NUMBER_PREFIX = env.str("CERTIFICATE_NUMBER_PREFIX", default="KOMINFO-CC")
CERTIFICATE_VALIDITY_YEARS = env.int("CERTIFICATE_VALIDITY_YEARS", default=5)
# Development only (DEBUG and not production): make a self-signed signing pair on first use
# when none exists, so `make run` can issue certificates without a manual step.
CERTIFICATE_SIGNING_AUTOCREATE = DEBUG and not PRODUCTION
# Daily at 00:15 Jakarta time: end suspensions whose planned end passed, expire certificates.
CELERY_BEAT_SCHEDULE["certificates-daily-scan"] = {
    "task": "certificates.tasks.daily_scan",
    "schedule": crontab(hour=0, minute=15),
    "options": {"expires": 6 * 60 * 60},
}
# The daily scan above also sends the expiry reminders (180/90/30/7/0 days, once each).
# Every 15 minutes: render again the PDFs missing for longer than this many minutes.
CERTIFICATE_RECONCILE_AFTER_MINUTES = env.int("CERTIFICATE_RECONCILE_AFTER_MINUTES", default=10)
CELERY_BEAT_SCHEDULE["certificates-reconcile"] = {
    "task": "certificates.tasks.reconcile_certificates",
    "schedule": crontab(minute="*/15"),
    "options": {"expires": 14 * 60},
}
