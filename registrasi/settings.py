"""Registrasi settings: one module, read from the environment (django-environ).

The defaults serve local development and need no server: SQLite under var/, eager
Celery tasks, console email and private file storage under var/. DATABASE_URL,
REDIS_URL, EMAIL_URL and the AWS_* variables switch to PostgreSQL, Redis, SMTP and S3.

The settings live in registrasi/settings_parts/, one topic each, and are read in the order
below: a production environment missing something is refused by the first part that needs it.
"""

# ruff: noqa: I001  (the order is the order of reading, not the alphabet)
from registrasi.settings_parts.core import *  # noqa: F403
from registrasi.settings_parts.web import *  # noqa: F403
from registrasi.settings_parts.files import *  # noqa: F403
from registrasi.settings_parts.mail import *  # noqa: F403
from registrasi.settings_parts.tasks import *  # noqa: F403
from registrasi.settings_parts.security import *  # noqa: F403
from registrasi.settings_parts.certificates import *  # noqa: F403
from registrasi.settings_parts.failures import *  # noqa: F403
from registrasi.settings_parts.identity import *  # noqa: F403
from registrasi.settings_parts.billing import *  # noqa: F403
from registrasi.settings_parts.api import *  # noqa: F403
