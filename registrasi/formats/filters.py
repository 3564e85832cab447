"""The template library `dates` (settings.TEMPLATES "libraries"): `{% load dates %}`, then one
filter per kind of date, each in the one style of the reader's language (registrasi/formats),
moments in Jakarta time with the zone named (registrasi.formats.display):

    {{ certificate.expires_on|day }}                          30 November 2026
    {{ today|weekday }}                                       Senin, 30 November 2026
    {{ event.created_at|moment }}                             30 November 2026, 20.28 WIB
    {{ attempt.started_at|moment:"seconds" }}                 30 November 2026, 20.28.05 WIB
    {{ saved_at|clock }}, {{ saved_at|clock:"seconds" }}      20.28, 20.28.05
    {{ inspection.window_start|window:inspection.window_end }}
                                                  Selasa, 1 Desember 2026, 09.00–12.00 WIB
    {{ inspection.window_start|hours:inspection.window_end }}  09.00–12.00 WIB

Templates never write a pattern of their own (`|date:"j M Y"`): tests/test_date_style.py
fails on one. Only machine-readable values keep `|date:"Y-m-d"` / `"c"` / `"U"` (attributes,
query strings, form values)."""

from django import template
from django.utils import translation

from registrasi.formats import display

register = template.Library()


def _seconds(arg) -> bool:
    if arg in (None, ""):
        return False
    if arg == "seconds":
        return True
    raise template.TemplateSyntaxError(f'Only "seconds" may follow a moment or clock: {arg!r}')


@register.filter
def day(value, language=None) -> str:
    """A date (or a moment's Jakarta date) as DATE_FORMAT; "" for what is not one.
    `|day:"id"` writes it in that language whatever the reader's (the bilingual poster)."""
    if language:
        with translation.override(language):
            return display.format_day(value)
    return display.format_day(value)


@register.filter
def weekday(value) -> str:
    """A date with its weekday (WEEKDAY_DATE_FORMAT)."""
    return display.format_weekday(value)


@register.filter
def moment(value, arg=None) -> str:
    """A moment in Jakarta time as DATETIME_FORMAT (zone named); "" for what is not one."""
    return display.format_moment(value, seconds=_seconds(arg))


@register.filter
def clock(value, arg=None) -> str:
    """A moment's Jakarta time of day as TIME_FORMAT."""
    return display.format_clock(value, seconds=_seconds(arg))


@register.filter
def window(start, end) -> str:
    """A time window, its day with weekday and its hours with the zone."""
    return display.format_window(start, end)


@register.filter
def hours(start, end) -> str:
    """A window's hours with the zone, where the page already names the day."""
    return display.format_hours(start, end)
