# Registrasi: one image for the web server, the Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    REGISTRASI_VAR_DIR=/app/var \
    STATIC_ROOT=/app/static_root

# libmagic1: upload checks by content (python-magic). Pango and HarfBuzz: WeasyPrint's PDFs.
# DejaVu: the fonts a PDF falls back to (the project also ships its own under static/).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libmagic1 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, in their own layer: code changes do not reinstall them.
COPY pyproject.toml ./
RUN pip install .

# The code stays owned by root: the app user can read it but not change it.
COPY . .

# Static files are collected into the image (WhiteNoise serves them with hashed names).
# Settings refuse to load in production without a strong key: this one exists only here.
RUN DJANGO_ENV=production \
    SECRET_KEY=collectstatic-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
    ALLOWED_HOSTS=build.invalid SITE_URL=https://build.invalid \
    EMAIL_URL=smtp://build.invalid:25 \
    CERTIFICATE_SIGNING_KEY=/nonexistent CERTIFICATE_SIGNING_CERT=/nonexistent \
    BILLING_CALLBACK_SECRET=collectstatic-only BILLING_ALLOW_SIMULATOR_IN_PRODUCTION=true \
    python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /app/var/signing \
    && chown -R app:app /app/var /app/static_root

USER app

EXPOSE 8000

CMD ["gunicorn", "registrasi.wsgi:application", \
     "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", \
     "--access-logfile", "-", "--forwarded-allow-ips", "*"]
