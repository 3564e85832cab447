"""Identity and security: production's mail and signing-key refusals, the second factor,
login throttling, sessions, Content-Security-Policy and Permissions-Policy."""

from datetime import timedelta

from registrasi.settings_parts.core import LOGGING, PRODUCTION, ImproperlyConfigured, env
from registrasi.settings_parts.mail import EMAIL_URL

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
