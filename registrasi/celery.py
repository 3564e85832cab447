"""Celery application. Reads every CELERY_* setting from Django's settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registrasi.settings")

app = Celery("registrasi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
