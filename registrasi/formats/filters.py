"""The template library `dates` (settings.TEMPLATES "libraries"): `{% load dates %}`, then
`{{ certificate.expires_on|day }}` and `{{ event.created_at|moment }}`: the one style of the
reader's language (registrasi/formats), in Jakarta time for a moment."""

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


@register.filter
def day(value) -> str:
    """A date (or a moment's local date) as DATE_FORMAT; "" for what is not one."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if not isinstance(value, datetime.date):
        return ""
    return date_format(value, "DATE_FORMAT")


@register.filter
def moment(value) -> str:
    """A moment in local time as DATETIME_FORMAT; "" for what is not one."""
    if not isinstance(value, datetime.datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "DATETIME_FORMAT")
