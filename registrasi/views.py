import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from registrasi.celery import app as celery_app

logger = logging.getLogger(__name__)


def home(request):
    """Send each role to its own dashboard; show the public landing page to visitors."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "home.html")
    if user.is_ministry_staff:
        return redirect("applications:staff_queue")
    if user.is_inspector:
        return redirect("inspections:schedule")
    if user.is_applicant:
        return redirect("applications:dashboard")
    return render(request, "no_role.html")


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache():
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value just written")


def _check_broker():
    if celery_app.conf.task_always_eager:
        return  # embedded default: tasks run in-process, there is no broker to reach
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@never_cache
@require_GET
def healthz(request):
    """200 when the database, the cache and the task broker answer; 503 naming what failed."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # a health check reports every failure, whatever it is
            logger.warning("healthz: %s failed: %s", name, exc)
            results[name] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in results.values())
    body = {"status": "ok" if healthy else "fail", "checks": results}
    return JsonResponse(body, status=200 if healthy else 503)
