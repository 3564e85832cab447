"""The organization's certificates with what it may do with them ("Report a change", "Start
renewal"), for the applications app's pages (which do not import this app)."""

from django import template

from certificates import selectors

register = template.Library()


@register.inclusion_tag("certificates/_keeping.html", takes_context=True)
def organization_certificates(context, application=None):
    """The user's organization's certificates it can still keep; only the one issued on
    `application` when given. One query."""
    rows = selectors.applicant_certificates(user=context["request"].user)
    if application is not None:
        rows = [row for row in rows if row.certificate.application_id == application.pk]
    return {"certificates": rows}
