"""Registrasi settings: one module, read from the environment (django-environ).

The defaults serve local development and need no server: SQLite under var/, eager
Celery tasks, console email and private file storage under var/. DATABASE_URL,
REDIS_URL, EMAIL_URL and the AWS_* variables switch to PostgreSQL, Redis, SMTP and S3.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("REGISTRASI_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
ENV_NAME = env.str("DJANGO_ENV", default="development")
PRODUCTION = ENV_NAME == "production"


def _required_in_production(name, default):
    if PRODUCTION and name not in env.ENVIRON:
        raise ImproperlyConfigured(
            f"{name} must be set when DJANGO_ENV=production; refusing to start."
        )
    return default


SECRET_KEY = env.str(
    "SECRET_KEY",
    default=_required_in_production("SECRET_KEY", "dev-only-insecure-key-change-me"),
)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=_required_in_production("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"]),
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where absolute links (emails, QR codes, certificates) point: `make run` passes its own host
# and port; production must say it (checked below, after the host settings).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The ministry's face in every page's header and footer (registrasi.pages.ministry).
MINISTRY_NAME = env.str("MINISTRY_NAME", default="Kementerian Komunikasi dan Digital")
MINISTRY_SHORT_NAME = env.str("MINISTRY_SHORT_NAME", default="Komdigi")
# A static file path or an absolute URL; the default is a placeholder mark.
MINISTRY_EMBLEM = env.str("MINISTRY_EMBLEM", default="img/emblem.svg")
MINISTRY_ADDRESS = env.str(
    "MINISTRY_ADDRESS", default="Jl. Medan Merdeka Barat No. 9, Jakarta Pusat 10110"
)
HELPDESK_EMAIL = env.str("HELPDESK_EMAIL", default="helpdesk@registrasi.local")
HELPDESK_PHONE = env.str("HELPDESK_PHONE", default="+62 21 3452 841")
# Empty: "Monday to Friday, 08.00–16.00 WIB" in the reader's language.
HELPDESK_HOURS = env.str("HELPDESK_HOURS", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "registrasi.accounts",
    "registrasi.audit",
    "registrasi.outbox",
    "applications",
    "inspections",
    "certificates",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "certificates.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A 503 with Retry-After when the database or the file storage is down (not a 500).
    "registrasi.middleware.UnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "registrasi.accounts.middleware.SessionPolicyMiddleware",
    "registrasi.accounts.middleware.SecondFactorMiddleware",
    "registrasi.accounts.middleware.PrivateCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "registrasi.audit.middleware.RequestIPMiddleware",
    # Last, as django-axes asks: turns a lockout flagged during the request into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "registrasi.urls"
WSGI_APPLICATION = "registrasi.wsgi.application"
ASGI_APPLICATION = "registrasi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "registrasi.pages.ministry",
            ],
            # {% load money %} for every app's templates (the rupiah filter).
            "libraries": {"money": "registrasi.money"},
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'registrasi.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Reuse a connection for a minute instead of opening one per request (it doubled /verify/
# throughput on PostgreSQL); the health check drops a connection the server closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that silently drops packets must not hang requests (and /healthz) forever.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and an eager task share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username or address before any password check.
AUTHENTICATION_BACKENDS = [
    "registrasi.accounts.backends.LoginThrottleBackend",
    "registrasi.accounts.backends.EmailBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
# A sign-up is pending (no account, no NIB claim) until its email address is confirmed.
SIGNUP_CONFIRM_HOURS = env.int("SIGNUP_CONFIRM_HOURS", default=48)
# The desk's service-level targets in working days per queue (certificates.desk): JSON in
# the environment; a missing or malformed one falls back to the default and the page says so.
DESK_SERVICE_LEVELS = env.json(
    "DESK_SERVICE_LEVELS",
    default={
        "to_review": 5,
        "to_schedule": 10,
        "overdue": 2,
        "to_decide": 5,
        "changes": 20,
        "payments": 5,
        "expiring": 60,
    },
)

# Language: Indonesian by default, English second.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "static_root"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)

# Files are private: there is no MEDIA_URL; documents leave only through views that check
# permission. The default is the file system under var/, S3 when AWS_STORAGE_BUCKET_NAME is set.
PRIVATE_FILES_ROOT = VAR_DIR / "private"
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="us-east-1"),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_FILES_ROOT), "base_url": None},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Email: console by default; EMAIL_URL (smtp://user:pass@host:port) switches to SMTP.
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://")
vars().update(env.email_url_config(EMAIL_URL))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Registrasi <noreply@registrasi.local>")

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

# Security: strict in production; `manage.py check --deploy` is clean there.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
        raise ImproperlyConfigured("SECRET_KEY is too weak for production; refusing to start.")

RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# Behind the deployment's reverse proxy, the client's address is the last X-Forwarded-For
# entry; rate limits and the audit log both use it (registrasi.audit.middleware.client_ip).
USE_X_FORWARDED_FOR = env.bool("USE_X_FORWARDED_FOR", default=False)
RATELIMIT_IP_META_KEY = "registrasi.audit.middleware.client_ip"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- platform ---
# docker compose passes an unset `${ALLOWED_HOSTS}` as an empty string, which would start a
# server that answers every request with 400: refuse to start instead.
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must not be empty when DJANGO_ENV=production.")
# Every emailed link, QR code and certificate names SITE_URL: never the development default.
_required_in_production("SITE_URL", None)

# --- certificates ---
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
from celery.schedules import crontab  # noqa: E402

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

# --- failures (outbox, emails, workers) ---
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

# --- identity and security (second factor, login throttling, headers, sessions) ---
from datetime import timedelta  # noqa: E402

# Production must not print password-reset links and invitation tokens to the server log.
if PRODUCTION and not EMAIL_URL.startswith(("smtp://", "smtp+tls://", "smtp+ssl://", "smtps://")):
    raise ImproperlyConfigured(
        "EMAIL_URL must name a real mail server (smtp://user:password@host:port) when "
        "DJANGO_ENV=production; refusing to start."
    )
# Certificates must be signed with the ministry's own key, never the development pair that
# `make_signing_key` writes under var/signing by default.
if PRODUCTION:
    for _name in ("CERTIFICATE_SIGNING_KEY", "CERTIFICATE_SIGNING_CERT"):
        if _name not in env.ENVIRON:
            raise ImproperlyConfigured(
                f"{_name} must be set when DJANGO_ENV=production (the ministry's own signing "
                "key and certificate, not the development pair); refusing to start."
            )

# Second factor (django-otp, TOTP with static backup codes). Ministry accounts must use it.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Registrasi")
# django-otp's own exponential back-off would refuse the sixth try before it is counted:
# wrong codes count as login failures in django-axes instead (see accounts/second_factor.py).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
SECOND_FACTOR_BACKUP_CODES = 10

# Login throttling (django-axes): failures per normalised email and per client address, kept
# in the database so every worker sees the same counters; admin login included.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "registrasi.accounts.throttle.LoginThrottleHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=6)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
# A locked-out person is told how long to wait: more tries must not move that time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "registrasi.accounts.throttle.login_username"
AXES_CLIENT_IP_CALLABLE = "registrasi.audit.middleware.client_ip"
AXES_LOCKOUT_CALLABLE = "registrasi.accounts.throttle.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Logins are in the audit log already: no second copy of addresses and browsers in axes' own.
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "password", "token", "code"]
# Password-reset requests: per normalised email and per client address.
PASSWORD_RESETS_PER_ACCOUNT = env.str("PASSWORD_RESETS_PER_ACCOUNT", default="5/h")
PASSWORD_RESETS_PER_ADDRESS = env.str("PASSWORD_RESETS_PER_ADDRESS", default="10/h")

# Sessions: ministry accounts end after 30 minutes idle and 12 hours in all; applicants later.
SESSION_IDLE_MINISTRY = timedelta(minutes=env.int("SESSION_IDLE_MINUTES_MINISTRY", default=30))
SESSION_MAX_AGE_MINISTRY = timedelta(hours=env.int("SESSION_MAX_HOURS_MINISTRY", default=12))
SESSION_IDLE_APPLICANT = timedelta(hours=env.int("SESSION_IDLE_HOURS_APPLICANT", default=8))
SESSION_MAX_AGE_APPLICANT = timedelta(days=env.int("SESSION_MAX_DAYS_APPLICANT", default=14))
SESSION_COOKIE_AGE = int(SESSION_MAX_AGE_APPLICANT.total_seconds())
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): no inline script or style anywhere; pages use static
# files only. QR codes are data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}
# django-axes logs every attempt at INFO; failures and lockouts (WARNING) are enough.
LOGGING.setdefault("loggers", {})["axes"] = {"level": env.str("AXES_LOG_LEVEL", default="WARNING")}

# --- billing (PNBP billing codes; applications.billing) ---
# "simulator": the embedded billing system (issues codes itself, offers a "pay as a bank
# would" page); "http": the real billing gateway at BILLING_GATEWAY_URL.
BILLING_BACKEND = env.str("BILLING_BACKEND", default="simulator")
BILLING_GATEWAY_URL = env.str("BILLING_GATEWAY_URL", default="").rstrip("/")
BILLING_GATEWAY_TOKEN = env.str("BILLING_GATEWAY_TOKEN", default="")
BILLING_GATEWAY_TIMEOUT = env.float("BILLING_GATEWAY_TIMEOUT", default=10.0)
# The shared secret of the callback's HMAC-SHA256 signature.
BILLING_CALLBACK_SECRET = env.str(
    "BILLING_CALLBACK_SECRET",
    default=_required_in_production("BILLING_CALLBACK_SECRET", "dev-only-billing-secret"),
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

# --- API (certificates.api: DRF, OpenAPI schema by drf-spectacular) ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["certificates.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": ["certificates.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_VERSION": "v1",
    "EXCEPTION_HANDLER": "certificates.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "public": env.str("API_PUBLIC_RATE", default="60/min"),
        "token": env.str("API_TOKEN_RATE", default="600/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# A JSON body larger than this is refused with 413 (uploads: MAX_UPLOAD_SIZE).
API_MAX_JSON_BYTES = env.int("API_MAX_JSON_BYTES", default=64 * 1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "Registrasi API",
    "DESCRIPTION": "Verify certificates, search the register, and follow applications.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "ENUM_NAME_OVERRIDES": {"ProvinceEnum": "registrasi.accounts.constants.Province"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "certificates.api.schema.refuse_unknown_fields",
        "certificates.api.schema.describe_errors",
    ],
}
