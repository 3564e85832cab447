"""Degrade, do not fall: a branded 503 with Retry-After instead of a 500 when a part is down.

- The database is unreachable (OperationalError, InterfaceError), wherever it was noticed:
  in a view, a template or another middleware. A `got_request_exception` receiver marks the
  request, and this middleware (outermost but for security and static files) replaces the
  response, DEBUG or not: the page itself touches no database.
- The file storage refused a write while a form with files was posted: the person is told
  the file could not be stored and to try again (nothing was saved: services store the file
  inside the transaction that records it).
"""

import logging

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)


def storage_errors() -> tuple:
    errors = [OSError]
    try:
        from botocore.exceptions import BotoCoreError, ClientError

        errors += [BotoCoreError, ClientError]
    except ImportError:  # S3 support not installed
        pass
    return tuple(errors)


def classify(request, exc) -> str | None:
    if isinstance(exc, DATABASE_ERRORS):
        return "database"
    if request.method == "POST" and request.FILES and isinstance(exc, storage_errors()):
        return "storage"
    return None


def unavailable_response(kind: str) -> HttpResponse:
    if kind == "storage":
        title = _("The file could not be stored")
        text = _(
            "The document store did not accept the file just now. Nothing was saved. "
            "Please go back and upload it again in a moment."
        )
    else:
        title = _("The portal is briefly unavailable")
        text = _(
            "The portal cannot reach its database right now. Nothing you did before was "
            "lost. Please try again in a minute."
        )
    body = render_to_string("503.html", {"title": title, "text": text})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@receiver(got_request_exception)
def _remember_unavailable(sender, request=None, **kwargs):
    """Any layer's uncaught exception passes here first (the exception is being handled)."""
    import sys

    exc = sys.exc_info()[1]
    if request is not None and exc is not None:
        kind = classify(request, exc)
        if kind:
            request._registrasi_unavailable = kind


class UnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        kind = getattr(request, "_registrasi_unavailable", None)
        if kind:
            logger.error("503 for %s %s: %s unavailable", request.method, request.path, kind)
            return unavailable_response(kind)
        return response
