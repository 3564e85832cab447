"""The Django project: apps, middleware, templates, the database, accounts and passwords,
language, static files."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from registrasi.settings_parts.core import BASE_DIR, VAR_DIR, env

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
    # Public pages (/registry/, /verify/) from the cache before the middleware below runs.
    "certificates.public_cache.PublicPageMiddleware",
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
# One date style per language (registrasi/formats): read before Django's own locale formats.
FORMAT_MODULE_PATH = ["registrasi.formats"]
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
            "libraries": {
                "money": "registrasi.money",
                "dates": "registrasi.formats.filters",
                "upload_limits": "registrasi.upload_limits",
            },
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
# The desk's service-level targets in working days per queue (certificates.service_levels):
# JSON in the environment; a missing or malformed one falls back to its default here and the
# page says so.
DESK_SERVICE_LEVEL_DEFAULTS = {
    "to_review": 5,
    "to_schedule": 10,
    "overdue": 2,
    "to_decide": 5,
    "changes": 20,
    "payments": 5,
    "expiring": 60,
}
DESK_SERVICE_LEVELS = env.json("DESK_SERVICE_LEVELS", default=dict(DESK_SERVICE_LEVEL_DEFAULTS))

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
