# SQL here is built from table names taken from model _meta; every value is a parameter.
# ruff: noqa: S608
"""Review due dates in SQL: one UPDATE … FROM for every approved enrolment, or for a few.

The due date is the last review (or, before any, the approval; or the start) plus the
category's cadence from the standard in force today in the household's district (the
defaults where it has none). 低保 takes the shorter cadence when the household is unstable:
a member in flexible work (unstable income), or an active member of working age (16 to 59
for men, 16 to 54 for women) with full labour capacity. A 刚性支出 (支出型) recognition
lasts at most 12 months whatever the standard says. 临时救助 has its own end date and no
review. Rows whose due date is already right are left alone, so a re-run changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone

from households.models import Area, Enrolment, Household, Member
from reviews.models import DEFAULT_CADENCE, ZHICHU_MAX_MONTHS, Review, Standard

_E = Enrolment._meta.db_table
_H = Household._meta.db_table
_M = Member._meta.db_table
_A = Area._meta.db_table
_S = Standard._meta.db_table
_R = Review._meta.db_table

# Outcomes after which the enrolment goes on, and so starts a new review period.
CONTINUING = ("unchanged", "amount")


def _statement(only: bool) -> str:
    restrict = "AND e.id = ANY(%(ids)s)" if only else ""
    return f"""
WITH std AS (
    SELECT DISTINCT ON (d.prefix) d.prefix, s.dibao_stable_months, s.dibao_unstable_months,
        s.tekun_months, s.dibian_months, s.zhichu_months
    FROM {_S} s JOIN {_A} d ON d.id = s.district_id
    WHERE s.effective_date <= %(today)s
    ORDER BY d.prefix, s.effective_date DESC
),
open AS (
    SELECT e.id, e.version, e.category_id, e.household_id, h.area_code,
        coalesce(
            (SELECT max(r.reviewed_on) FROM {_R} r
             WHERE r.enrolment_id = e.id AND r.outcome IN ('unchanged', 'amount')),
            (e.decided_at AT TIME ZONE %(tz)s)::date,
            e.start_date
        ) AS since
    FROM {_E} e JOIN {_H} h ON h.id = e.household_id
    WHERE e.status = 'approved' AND e.category_id <> 'linshi' {restrict}
),
unstable AS (
    SELECT DISTINCT m.household_id FROM {_M} m
    WHERE m.status = 'active' AND m.household_id IN (SELECT household_id FROM open)
      AND (m.employment = 'flexible'
           OR (m.labour_capacity = 'full'
               AND date_part('year', age(%(today)s, m.birth_date))
                   BETWEEN 16 AND CASE WHEN m.sex = 'F' THEN 54 ELSE 59 END))
),
desired AS (
    SELECT o.id, o.version, (o.since + make_interval(months => CASE o.category_id
        WHEN 'dibao' THEN CASE WHEN u.household_id IS NULL
            THEN coalesce(s.dibao_stable_months, %(dibao_stable)s)
            ELSE coalesce(s.dibao_unstable_months, %(dibao_unstable)s) END
        WHEN 'tekun' THEN coalesce(s.tekun_months, %(tekun)s)
        WHEN 'dibian' THEN coalesce(s.dibian_months, %(dibian)s)
        WHEN 'zhichu' THEN least(coalesce(s.zhichu_months, %(zhichu)s), %(zhichu_max)s)
        END))::date AS due
    FROM open o
    LEFT JOIN unstable u ON u.household_id = o.household_id
    LEFT JOIN std s ON s.prefix = left(o.area_code, 6)
)
UPDATE {_E} e SET review_due = d.due, updated_at = %(now)s
FROM desired d
-- A review or decision committed while this ran bumped the version: its own date stands
-- (PostgreSQL re-checks this condition on the row it waited for).
WHERE e.id = d.id AND e.version = d.version AND e.review_due IS DISTINCT FROM d.due
"""


def keep_review_dues(
    *, today: dt.date | None = None, enrolment_ids: list[int] | None = None
) -> int:
    """Set every approved enrolment's review due date (or those of `enrolment_ids`).

    Returns how many rows changed; 0 on a re-run. The caller holds the transaction and sets
    the history context: the change lands in the enrolment's history like any other.
    """
    params = {
        "today": today or timezone.localdate(),
        "tz": settings.TIME_ZONE,
        "now": timezone.now(),
        "ids": enrolment_ids or [],
        "zhichu_max": ZHICHU_MAX_MONTHS,
        **DEFAULT_CADENCE,
    }
    with connection.cursor() as cursor:
        cursor.execute(_statement(enrolment_ids is not None), params)
        return cursor.rowcount
