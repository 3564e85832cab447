"""Email: the server and the sender."""

from registrasi.settings_parts.core import env

# Email: console by default; EMAIL_URL (smtp://user:pass@host:port) switches to SMTP.
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://")
vars().update(env.email_url_config(EMAIL_URL))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Registrasi <noreply@registrasi.local>")
