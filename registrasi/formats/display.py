"""Dates and times as people read them, one way per language (registrasi/formats/{id,en}):
the functions behind the `dates` template filters, for Python code that writes a date into a
message, an email or a PDF. Every moment is shown in Jakarta time (registrasi.dates.JAKARTA) with
its zone named ("WIB") in the format itself, so no template adds "WIB" by hand.

    format_day      30 November 2026
    format_weekday  Senin, 30 November 2026 / Monday, 30 November 2026
    format_moment   30 November 2026, 20.28 WIB / 30 November 2026, 20:28 WIB
                    (seconds=True: 20.28.05 WIB, for logs that need the second)
    format_clock    20.28 / 20:28 (seconds=True: 20.28.05)
    format_window   Selasa, 1 Desember 2026, 09.00–12.00 WIB
    format_hours    09.00–12.00 WIB (a window on a page that already names its day)

Machine-readable values (API JSON, <time datetime>, form inputs, file names) stay ISO 8601.
"""

import datetime

from django.utils import timezone
from django.utils.formats import date_format, get_format

from registrasi.dates import JAKARTA

# What a language without its own module (registrasi/formats/<lang>) falls back to.
DEFAULTS = {
    "DATETIME_SECONDS_FORMAT": "j F Y, H.i.s T",
    "TIME_SECONDS_FORMAT": "H.i.s",
    "WEEKDAY_DATE_FORMAT": "l, j F Y",
    "WINDOW_FORMAT": "{day}, {start}–{end} {zone}",
}


def _format(name: str) -> str:
    value = get_format(name)
    return DEFAULTS.get(name, value) if value == name else value


def _local(value):
    """An aware moment in Jakarta time (whatever time zone a request activated); a naive one
    is taken as Jakarta time already."""
    if timezone.is_aware(value):
        return timezone.localtime(value, JAKARTA)
    return value.replace(tzinfo=JAKARTA)


def _is_moment(value) -> bool:
    return isinstance(value, datetime.datetime)


def _is_day(value) -> bool:
    return isinstance(value, datetime.date)


def format_day(value) -> str:
    """A date, or a moment's Jakarta date; "" for what is not one."""
    if _is_moment(value):
        value = _local(value).date()
    return date_format(value, "DATE_FORMAT") if _is_day(value) else ""


def format_weekday(value) -> str:
    """A date with its weekday; "" for what is not one."""
    if _is_moment(value):
        value = _local(value).date()
    return date_format(value, _format("WEEKDAY_DATE_FORMAT")) if _is_day(value) else ""


def format_moment(value, seconds: bool = False) -> str:
    """A moment in Jakarta time with its zone; "" for what is not one (a date alone is not)."""
    if not _is_moment(value):
        return ""
    name = "DATETIME_SECONDS_FORMAT" if seconds else "DATETIME_FORMAT"
    return date_format(_local(value), _format(name))


def format_clock(value, seconds: bool = False) -> str:
    """The Jakarta time of a moment (or a time of day) without its date."""
    if _is_moment(value):
        value = _local(value)
    elif not isinstance(value, datetime.time):
        return ""
    name = "TIME_SECONDS_FORMAT" if seconds else "TIME_FORMAT"
    return date_format(value, _format(name))


def _zone(value) -> str:
    return date_format(_local(value), "T")


def format_hours(start, end) -> str:
    """A window's hours with the zone: "09.00–12.00 WIB"; "" unless both are moments."""
    if not (_is_moment(start) and _is_moment(end)):
        return ""
    return f"{format_clock(start)}–{format_clock(end)} {_zone(end)}"


def format_window(start, end) -> str:
    """A time window: "Selasa, 1 Desember 2026, 09.00–12.00 WIB"; a window over midnight
    gives both moments in full; "" unless both are moments."""
    if not (_is_moment(start) and _is_moment(end)):
        return ""
    if _local(start).date() != _local(end).date():
        return f"{format_moment(start)} – {format_moment(end)}"
    return _format("WINDOW_FORMAT").format(
        day=format_weekday(start), start=format_clock(start), end=format_clock(end), zone=_zone(end)
    )
