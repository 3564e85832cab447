"""How a page tells a refusal, written once for every app's views.

A service refuses with a ServiceError (not allowed, a stale page, a rule: `.message`) or a
ValidationError (bad input, maybe per field). A view either shows it on its form
(`add_service_error`) or as a flash message (`report_refusal`); `error_text` is the one
sentence both use.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError

from registrasi.services import StaleState


def error_text(exc) -> str:
    """A service refusal or a validation error as one sentence for the page."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return exc.message


def add_service_error(form, exc, field=None) -> None:
    """Show a refusal on `form`: a ValidationError naming fields beside the fields the form
    has (the others above the form); anything else on `field` (None: above the form)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(field, exc.messages)
    else:
        form.add_error(field, exc.message)


def report_refusal(request, exc) -> None:
    """A refusal as a flash message: a stale page is a warning (someone else was faster),
    the rest an error."""
    if isinstance(exc, StaleState):
        messages.warning(request, exc.message)
    else:
        messages.error(request, error_text(exc))
