"""registrasi.working_days counts working days by arithmetic (five a week, the rest day by
day, less the public holidays on weekdays): the same answer as counting each day, for any
span, across years and holidays."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from registrasi.working_days import is_working_day, working_days_between

DAYS = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2032, 12, 31))


def _counted_day_by_day(first, last):
    if last < first:
        return -_counted_day_by_day(last, first)
    days = (first + datetime.timedelta(days=i) for i in range(1, (last - first).days + 1))
    return sum(is_working_day(day) for day in days)


@given(DAYS, DAYS)
def test_the_count_is_the_same_as_counting_each_day(first, last):
    assert working_days_between(first, last) == _counted_day_by_day(first, last)


def test_a_holiday_on_a_weekday_is_not_counted_and_a_weekend_never_is():
    # Indonesia's Independence Day, Monday 17 August 2026: Friday the 14th to Tuesday the
    # 18th is one working day (the Tuesday).
    assert working_days_between(datetime.date(2026, 8, 14), datetime.date(2026, 8, 18)) == 1
    # Friday to the next Monday, no holiday: one.
    assert working_days_between(datetime.date(2026, 11, 20), datetime.date(2026, 11, 23)) == 1
    assert working_days_between(datetime.date(2026, 11, 23), datetime.date(2026, 11, 20)) == -1
    assert working_days_between(datetime.date(2026, 11, 21), datetime.date(2026, 11, 22)) == 0
