"""Every API error reads {"errors": [{"field", "code", "message"}]}, in the request's language.

Service refusals (registrasi.services.ServiceError) and Django ValidationErrors raised by
the services become the same shape, so a client handles one format.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from registrasi.services import NotAllowed, ServiceError, StaleState


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class Refused(exceptions.APIException):
    """A service said no: the state does not allow it, or something is missing."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"


def _flatten(detail, field=None):
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__") else key
            yield from _flatten(value, name if field is None else f"{field}.{name}")
    elif isinstance(detail, list):
        for item in detail:
            yield from _flatten(item, field)
    else:
        code = getattr(detail, "code", None) or "invalid"
        yield {"field": field, "code": code, "message": str(detail)}


def _from_service(exc):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                key: [exceptions.ErrorDetail(m, e.code or "invalid") for e in errors for m in e]
                for key, errors in exc.error_dict.items()
            }
        else:
            detail = [exceptions.ErrorDetail(m, exc.code or "invalid") for m in exc.messages]
        return exceptions.ValidationError(detail)
    if isinstance(exc, StaleState):
        return Refused(exc.message, code="stale")
    if isinstance(exc, NotAllowed):
        return Refused(exc.message, code="not_allowed")
    if isinstance(exc, ServiceError):
        missing = getattr(exc, "missing", None)
        return Refused(exc.message, code="incomplete" if missing else "refused")
    return exc


def exception_handler(exc, context):
    exc = _from_service(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    response.data = {"errors": list(_flatten(detail))}
    return response


def error_response(status_code, code, message, field=None):
    return Response(
        {"errors": [{"field": field, "code": code, "message": str(message)}]}, status=status_code
    )
