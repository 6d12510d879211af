"""Working days on the official calendar, across the Spring Festival and National Day of 2026
with their make-up days, and a district's own days on top."""

from __future__ import annotations

import datetime as dt

import pytest

from applications import workdays

D = dt.date


def test_spring_festival_2026_is_off_and_its_make_up_saturdays_are_worked() -> None:
    assert not workdays.is_workday(D(2026, 2, 16))  # 除夕 eve week, a Monday off
    assert not workdays.is_workday(D(2026, 2, 23))  # the ninth day off, a Monday
    assert workdays.is_workday(D(2026, 2, 14))  # Saturday worked (调休)
    assert workdays.is_workday(D(2026, 2, 28))  # Saturday worked (调休)
    assert not workdays.is_workday(D(2026, 2, 7))  # an ordinary Saturday


def test_three_working_days_from_the_friday_before_the_spring_festival() -> None:
    # Accepted Fri 13 Feb: Sat 14 (make-up) is the first, then the holiday to Mon 23,
    # then Tue 24 and Wed 25.
    assert workdays.add_workdays(D(2026, 2, 13), 3) == D(2026, 2, 25)
    # Accepted Thu 12 Feb: Fri 13, Sat 14 (make-up), then Tue 24.
    assert workdays.add_workdays(D(2026, 2, 12), 3) == D(2026, 2, 24)


def test_national_day_2026_and_its_make_up_days() -> None:
    assert all(not workdays.is_workday(D(2026, 10, d)) for d in range(1, 8))
    assert workdays.is_workday(D(2026, 9, 20))  # a Sunday worked
    assert workdays.is_workday(D(2026, 10, 10))  # a Saturday worked
    # Accepted Wed 30 Sep: Thu 8 Oct, Fri 9, Sat 10 (make-up).
    assert workdays.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)
    # Accepted Fri 18 Sep: Sun 20 (make-up) counts, Mon 21, Tue 22.
    assert workdays.add_workdays(D(2026, 9, 18), 3) == D(2026, 9, 22)


def test_workdays_between_counts_after_the_start_up_to_the_end() -> None:
    assert workdays.workdays_between(D(2026, 2, 13), D(2026, 2, 25)) == 3
    assert workdays.workdays_between(D(2026, 2, 25), D(2026, 2, 13)) == -3
    assert workdays.workdays_between(D(2026, 10, 1), D(2026, 10, 7)) == 0


def test_a_district_holiday_and_a_district_working_day_override_the_official_calendar() -> None:
    local = {D(2026, 3, 2): False, D(2026, 2, 21): True}
    assert not workdays.is_workday(D(2026, 3, 2), local)
    assert workdays.is_workday(D(2026, 2, 21), local)
    # Mon 2 Mar off locally: from Fri 27 Feb, Sat 28 (make-up), Tue 3, Wed 4.
    assert workdays.add_workdays(D(2026, 2, 27), 3, local) == D(2026, 3, 4)


def test_a_year_the_package_does_not_hold_is_counted_monday_to_friday_plus_overrides() -> None:
    # chinese-calendar 1.11 stops at 2026: 2027 is provisional until the package is updated
    # or the district enters the year's official days.
    assert workdays.official_calendar_known(2026)
    assert not workdays.official_calendar_known(2027)
    assert workdays.add_workdays(D(2027, 2, 5), 3) == D(2027, 2, 10)
    spring_2027 = {D(2027, 2, 8): False, D(2027, 2, 9): False, D(2027, 2, 6): True}
    assert workdays.add_workdays(D(2027, 2, 5), 3, spring_2027) == D(2027, 2, 11)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        workdays.add_workdays(D(2026, 1, 5), -1)
