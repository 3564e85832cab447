"""Security headers and cookies, rate limits, and the platform's production refusals."""

from registrasi.settings_parts.core import (
    ALLOWED_HOSTS,
    PRODUCTION,
    SECRET_KEY,
    ImproperlyConfigured,
    env,
    required_in_production,
)

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

# docker compose passes an unset `${ALLOWED_HOSTS}` as an empty string, which would start a
# server that answers every request with 400: refuse to start instead.
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must not be empty when DJANGO_ENV=production.")
# Every emailed link, QR code and certificate names SITE_URL: never the development default.
required_in_production("SITE_URL", None)
