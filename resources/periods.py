"""Which capacity period a day falls in. Pure date arithmetic, no database."""

from __future__ import annotations

import datetime as dt

# The start of a "total" period: capacity that never resets is counted under one fixed day.
TOTAL_START = dt.date(2000, 1, 1)


def period_start(period: str, day: dt.date) -> dt.date:
    """The first day of the period (`week`, `month`, `year` or `total`) that holds `day`."""
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    return TOTAL_START
