"""Working days in Indonesia: Monday to Friday in Asia/Jakarta, less the national public
holidays (the `holidays` package's calendar for ID). Service-level targets count these."""

import datetime
import functools
import zoneinfo

import holidays

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


@functools.lru_cache(maxsize=32)
def _holidays_of(year: int) -> frozenset:
    return frozenset(holidays.country_holidays("ID", years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _holidays_of(day.year)


def jakarta_date(moment: datetime.datetime | datetime.date) -> datetime.date:
    """The calendar day in Jakarta of an aware datetime (a date is returned as it is)."""
    if isinstance(moment, datetime.datetime):
        return moment.astimezone(JAKARTA).date()
    return moment


def working_days_between(start, end) -> int:
    """Working days after `start`'s Jakarta day up to and including `end`'s: 0 on the same
    day, 1 from Friday to Monday, negative when `end` comes first."""
    first, last = jakarta_date(start), jakarta_date(end)
    if last < first:
        return -working_days_between(end, start)
    count = 0
    day = first
    while day < last:
        day += datetime.timedelta(days=1)
        count += is_working_day(day)
    return count
