"""What kind of deployment this is and where it answers: paths, the environment reader,
production's refusals to start half-configured, keys and hosts, the site's identity,
logging."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("REGISTRASI_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
ENV_NAME = env.str("DJANGO_ENV", default="development")
PRODUCTION = ENV_NAME == "production"


def required_in_production(name, default):
    if PRODUCTION and name not in env.ENVIRON:
        raise ImproperlyConfigured(
            f"{name} must be set when DJANGO_ENV=production; refusing to start."
        )
    return default


SECRET_KEY = env.str(
    "SECRET_KEY",
    default=required_in_production("SECRET_KEY", "dev-only-insecure-key-change-me"),
)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=required_in_production("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"]),
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where absolute links (emails, QR codes, certificates) point: `make run` passes its own host
# and port; production must say it (checked in security.py, after the host settings).
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
