"""The API (certificates.api): DRF, and the OpenAPI schema by drf-spectacular."""

from registrasi.settings_parts.core import DEBUG, PRODUCTION, env
from registrasi.settings_parts.tasks import CELERY_BEAT_SCHEDULE

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
    # Several choice sets are called "status": each gets a name of its own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ProvinceEnum": "registrasi.accounts.constants.Province",
        "VerificationStatusEnum": "certificates.constants.VerificationStatus",
        "BillingCodeStatusEnum": "applications.billing.models.CodeStatus",
        "DeliveryStatusEnum": "certificates.api.models.DeliveryStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "certificates.api.schema.refuse_unknown_fields",
        "certificates.api.schema.describe_errors",
        "certificates.api.schema.describe_webhooks",
    ],
}

# Webhooks (certificates.api.webhooks): an endpoint must be HTTPS on a public address. Only in
# development (never in production) may it be plain HTTP to this machine or a private network.
WEBHOOK_ALLOW_PRIVATE_HOSTS = not PRODUCTION and env.bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", DEBUG)
WEBHOOK_TIMEOUT = env.int("WEBHOOK_TIMEOUT", default=10)
# A failed delivery is tried again after 30 s, 1 min, 2 min... (at most WEBHOOK_RETRY_BACKOFF_MAX
# seconds apart) for WEBHOOK_RETRY_HOURS; an endpoint failing for WEBHOOK_DISABLE_AFTER_HOURS is
# disabled and its owners are emailed.
WEBHOOK_RETRY_BACKOFF_BASE = env.int("WEBHOOK_RETRY_BACKOFF_BASE", default=30)
WEBHOOK_RETRY_BACKOFF_MAX = env.int("WEBHOOK_RETRY_BACKOFF_MAX", default=3600)
WEBHOOK_RETRY_HOURS = env.int("WEBHOOK_RETRY_HOURS", default=24)
WEBHOOK_DISABLE_AFTER_HOURS = env.int("WEBHOOK_DISABLE_AFTER_HOURS", default=24)
CELERY_BEAT_SCHEDULE["api-retry-webhooks"] = {
    "task": "certificates.api.tasks.retry_webhooks",
    "schedule": 60.0,
    "options": {"expires": 55},
}
