"""What differs by application kind, for templates that have only the application."""

from django import template

from applications import selectors

register = template.Library()


@register.filter
def approval_effect(application, date_format="DATE_FORMAT") -> str:
    """What approving `application` today does, in its kind's words (applications.kinds);
    "" once it is decided. Emails pass their date format: `approval_effect:"j F Y"`."""
    basis = application.basis_certificate if application.basis_certificate_id else None
    return selectors.approval_effect(application, basis, date_format)
