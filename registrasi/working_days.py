"""Working days in Indonesia: Monday to Friday in Asia/Jakarta, less the national public
holidays (the `holidays` package's calendar for ID). Service-level targets count these."""

import bisect
import datetime
import functools
import zoneinfo

import holidays

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


@functools.lru_cache(maxsize=32)
def _holidays_of(year: int) -> frozenset:
    return frozenset(holidays.country_holidays("ID", years=year).keys())


@functools.lru_cache(maxsize=32)
def _weekday_holidays_of(year: int) -> tuple:
    """The year's public holidays that fall on a weekday, in order."""
    return tuple(sorted(day for day in _holidays_of(year) if day.weekday() < 5))


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
    return _weekdays_after(first, last) - _weekday_holidays_after(first, last)


def _weekdays_after(first: datetime.date, last: datetime.date) -> int:
    """Mondays to Fridays after `first` up to and including `last`: five a whole week, then
    the days left one by one (fewer than seven), whatever the span."""
    weeks, rest = divmod((last - first).days, 7)
    start = first + datetime.timedelta(days=7 * weeks)
    extra = sum((start + datetime.timedelta(days=i)).weekday() < 5 for i in range(1, rest + 1))
    return 5 * weeks + extra


def _weekday_holidays_after(first: datetime.date, last: datetime.date) -> int:
    """Public holidays on a weekday after `first` up to and including `last`."""
    count = 0
    for year in range(first.year, last.year + 1):
        days = _weekday_holidays_of(year)
        count += bisect.bisect_right(days, last) - bisect.bisect_right(days, first)
    return count
