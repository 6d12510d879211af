"""Working days (工作日) on the official calendar, with a district's own days on top.

The State Council's calendar (holidays and the weekend days worked in exchange, 调休) comes
from the `chinese-calendar` package, which is updated when each year's calendar is
published (usually in November of the year before). A district adds its own days
(`applications.CalendarDay`: a local holiday, or a day worked) and, for a year the package
does not know yet, the year's official days too: until then such a year is counted Monday to
Friday, and `official_calendar_known` says so, so that a page can warn that its due dates
are provisional.

Plain functions over a mapping of override days: no ORM here (selectors load the overrides).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import chinese_calendar

Overrides = Mapping[dt.date, bool]  # day → True if worked, False if a holiday
_NO_OVERRIDES: dict[dt.date, bool] = {}


def official_calendar_known(year: int) -> bool:
    """Whether the package holds the State Council's calendar for `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def last_official_year(since: int) -> int | None:
    """The last year, from `since` on, whose official calendar the package holds (None when
    it holds none from `since`): the package's years run unbroken up to the latest one."""
    if not official_calendar_known(since):
        return None
    year = since
    while official_calendar_known(year + 1):
        year += 1
    return year


def is_workday(day: dt.date, overrides: Overrides = _NO_OVERRIDES) -> bool:
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start: dt.date, days: int, overrides: Overrides = _NO_OVERRIDES) -> dt.date:
    """The `days`-th working day after `start` (`start` itself is not counted).

    "Within 3 working days of acceptance" is `add_workdays(accepted_on, 3)`: an application
    accepted on the Friday before the Spring Festival is due after the holiday, on the
    third day worked, a make-up Saturday included.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    left = days
    while left:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            left -= 1
    return day


def workdays_between(start: dt.date, end: dt.date, overrides: Overrides = _NO_OVERRIDES) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -workdays_between(end, start, overrides)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_workday(day, overrides)
    return count
