"""Dates in the ministry's time zone, written once.

The ministry issues and dates everything in Jakarta, which is also settings.TIME_ZONE. The
helpers name the zone explicitly anyway, so that a time zone activated for one request
(timezone.activate) never moves the ministry's calendar day."""

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

JAKARTA = ZoneInfo("Asia/Jakarta")


def today() -> datetime.date:
    """Today in Jakarta."""
    return timezone.localdate(timezone=JAKARTA)


def local_date(moment: datetime.datetime | None) -> datetime.date | None:
    """The calendar day in Jakarta of an aware datetime (None for None)."""
    return timezone.localdate(moment, JAKARTA) if moment else None


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in Jakarta."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=JAKARTA)
