"""The certificate each application earned, for the applications app's lists (which do not
import this app): the applicant reads its current state beside "approved"."""

from django import template

from certificates.models import Certificate

register = template.Library()


@register.simple_tag(takes_context=True)
def issued_certificates(context, rows):
    """{application pk: its certificate} for `rows` (dashboard rows or applications), among
    the certificates the user may see. One query, whatever the number of rows."""
    ids = [getattr(row, "application", row).pk for row in rows]
    certificates = Certificate.objects.visible_to(context["request"].user).filter(
        application_id__in=ids
    )
    return {certificate.application_id: certificate for certificate in certificates}


@register.filter
def certificate_of(issued, application):
    """The certificate `application` earned, from the map issued_certificates made."""
    return issued.get(application.pk) if issued else None
