"""How a page tells a refusal, written once for every app's views.

A service refuses with a ServiceError (not allowed, a stale page, a rule: `.message`) or a
ValidationError (bad input, maybe per field). A view either shows it on its form
(`add_service_error`) or as a flash message (`report_refusal`); `error_text` is the one
sentence both use. `form_action` is the whole round of a form page: valid input, the service,
its refusal on the form or the success message.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError

from registrasi.services import ServiceError, StaleState


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


def form_action(request, form, action, *, success) -> bool:
    """For a bound `form`: when it is valid, call `action()` (which reads form.cleaned_data).
    True when the service did it (the `success` message is added; `success` may be a
    function of what `action` returned); False when the page must show the form again, with
    the service's refusal on it."""
    if not form.is_valid():
        return False
    try:
        result = action()
    except (ServiceError, ValidationError) as exc:
        add_service_error(form, exc)
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True
