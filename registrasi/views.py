import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from registrasi import emails
from registrasi.accounts.services import user_update_profile
from registrasi.celery import app as celery_app
from registrasi.services import NotAllowed

logger = logging.getLogger(__name__)

# A health probe must answer quickly even when a dependency is gone, so every check
# gives up after this many seconds instead of waiting for the library defaults.
CHECK_TIMEOUT = 2


@require_POST
def set_language(request):
    """Django's language switch (cookie, redirect to `next`); for a logged-in person the
    choice is also saved to their profile, so the next login keeps it."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        user_update_profile(actor=user, full_name=user.full_name, language=language)
    return response


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the shipped icon."""
    return redirect(static("img/favicon.svg"), permanent=True)


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
    if user.is_staff:
        # A site administrator with no ministry role works in the admin site.
        return redirect("admin:index")
    return render(request, "no_role.html")


def _check_database(db=None):
    with (db or connection).cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
    if hasattr(cache, "ping"):
        cache.ping()  # Redis itself, not the fallback the pages use while it is down
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value just written")


def _check_broker():
    if celery_app.conf.task_always_eager:
        return "skipped"  # embedded default: tasks run in-process, there is no broker
    with celery_app.connection_for_write(connect_timeout=CHECK_TIMEOUT) as conn:
        # No retries: kombu would otherwise sleep between attempts and the probe would hang.
        conn.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT)
    return "ok"


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


def run_checks():
    """{name: "ok" | "skipped" | "error: <ExceptionClass>"} for every check."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check() or "ok"
        except Exception as exc:  # a health check reports every failure, whatever it is
            logger.warning("healthz: %s failed: %s", name, exc)
            results[name] = f"error: {exc.__class__.__name__}"
    return results


@never_cache
@require_GET
def healthz(request):
    """200 when the database, the cache and the task broker answer; 503 naming what failed.

    Only exception class names are shown: the page is public and must not leak hosts or
    credentials from error messages (those go to the log).
    """
    results = run_checks()
    failing = sorted(name for name, value in results.items() if value.startswith("error"))
    body = {"status": "fail" if failing else "ok", "checks": results, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)


# Emails that failed for good (staff) -----------------------------------------------------
@login_required
@require_GET
def failed_emails(request):
    try:
        rows = emails.failed_emails(request.user)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    return render(request, "emails/failed.html", {"rows": rows})


@login_required
@require_POST
def email_send_again(request, kind, pk):
    try:
        receipt = emails.failed_receipt(request.user, kind, pk)
        emails.email_send_again(receipt=receipt, actor=request.user)
    except NotAllowed as exc:
        if not request.user.is_ministry_staff:
            raise PermissionDenied from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The email will be sent again."))
    return redirect("failed_emails")
