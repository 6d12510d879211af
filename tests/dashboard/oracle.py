"""The tests' oracle: the dashboard's numbers by GROUP BY over the registry itself.

The panels read the trigger-kept summary (dashboards.summary); these queries count the same
numbers from enrolments, covered members, households' history, visits and follow-ups, and
give rows of the same shape, so a test compares the two on the same data. They were the
panels' fallback and reference before the summary was the only way the panels count; the
benchmark (bench/scenarios/dashboard.py) times them against the summary.

What is counted is described in dashboards/panels/__init__.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from dashboards.panels.common import Scope, child_sql, fetch_rows, month_start
from ledgers.definitions import end_of_day

Query = tuple[str, dict[str, Any]]

_HOUSEHOLDS_NOW = (
    "SELECT h.id, h.area_code AS code FROM households_household h WHERE h.area_code LIKE %(like)s"
)
# For a past day: households whose history changed since then are placed where they were.
_HOUSEHOLDS_THEN = """
SELECT h.id, COALESCE(m.area_code, h.area_code) AS code
  FROM households_household h
  LEFT JOIN (
    SELECT DISTINCT ON (ev.pgh_obj_id) ev.pgh_obj_id AS id, ev.area_code
      FROM households_householdevent ev
     WHERE ev.pgh_created_at < %(cutoff)s
       AND ev.pgh_obj_id IN (SELECT e2.pgh_obj_id FROM households_householdevent e2
                              WHERE e2.pgh_created_at >= %(cutoff)s)
     ORDER BY ev.pgh_obj_id, ev.pgh_id DESC
  ) m ON m.id = h.id
 WHERE COALESCE(m.area_code, h.area_code) LIKE %(like)s
"""
_CASELOAD = """
WITH hh AS ({households}),
act AS (
  SELECT e.id, e.category_id, e.household_id, hh.code
    FROM households_enrolment e JOIN hh ON hh.id = e.household_id
   WHERE e.start_date <= %(day)s AND (e.end_date IS NULL OR e.end_date >= %(day)s)
     AND (e.status IN ('approved', 'ended')
          OR (e.status = 'suspended' AND e.decided_at >= %(cutoff)s))
),
people AS (
  SELECT {child} AS child, act.category_id, act.household_id, em.member_id
    FROM act JOIN households_enrolment_members em ON em.enrolment_id = act.id
)
SELECT child, category_id, count(DISTINCT household_id), count(DISTINCT member_id),
       GROUPING(child), GROUPING(category_id)
  FROM people
 GROUP BY GROUPING SETS ((child, category_id), (category_id), (child), ())
"""
_CHANGES = """
SELECT {child} AS child, e.category_id,
       count(*) FILTER (WHERE e.status IN ('approved', 'suspended', 'ended')
                          AND e.start_date BETWEEN %(m0)s AND %(day)s),
       count(*) FILTER (WHERE e.status = 'suspended'
                          AND e.decided_at >= %(m0_at)s AND e.decided_at < %(cutoff)s),
       count(*) FILTER (WHERE e.status IN ('approved', 'ended')
                          AND e.end_date BETWEEN %(m0)s AND %(day)s),
       GROUPING({child})
  FROM households_enrolment e JOIN households_household h ON h.id = e.household_id
 WHERE h.area_code LIKE %(like)s
   AND (e.start_date BETWEEN %(m0)s AND %(day)s OR e.end_date BETWEEN %(m0)s AND %(day)s
        OR e.decided_at >= %(m0_at)s)
 GROUP BY GROUPING SETS (({child}, e.category_id), (e.category_id))
"""


def caseload_queries(scope: Scope, day: dt.date) -> list[Query]:
    """The table's and the month's changes' GROUP BYs (the benchmark runs them bare)."""
    cutoff = end_of_day(day)
    households = _HOUSEHOLDS_THEN if cutoff <= timezone.now() else _HOUSEHOLDS_NOW
    table = _CASELOAD.format(households=households, child=child_sql("act.code", scope))
    m0 = month_start(day)
    changes_params = {
        "like": scope.like,
        "day": day,
        "m0": m0,
        "m0_at": end_of_day(m0 - dt.timedelta(days=1)),
        "cutoff": cutoff,
    }
    return [
        (table, {"like": scope.like, "day": day, "cutoff": cutoff}),
        (_CHANGES.format(child=child_sql("h.area_code", scope)), changes_params),
    ]


def caseload_rows(scope: Scope, day: dt.date) -> tuple[list[tuple], list[tuple]]:
    """As dashboards.summary.caseload_rows, from the registry."""
    table, changes = caseload_queries(scope, day)
    return fetch_rows(*table), fetch_rows(*changes)


_FOLLOWUPS = """
SELECT {child} AS child, f.assignee_id,
       count(*) FILTER (WHERE f.status = 'open' AND f.due < %(day)s),
       count(*) FILTER (WHERE f.status = 'open' AND f.due >= %(day)s),
       count(*) FILTER (WHERE f.status = 'done' AND f.completed_at >= %(m0_at)s
                          AND f.completed_at < %(cutoff)s
                          AND (f.completed_at AT TIME ZONE %(tz)s)::date <= f.due),
       count(*) FILTER (WHERE f.status = 'done' AND f.completed_at >= %(m0_at)s
                          AND f.completed_at < %(cutoff)s
                          AND (f.completed_at AT TIME ZONE %(tz)s)::date > f.due),
       GROUPING({child}), GROUPING(f.assignee_id)
  FROM cases_followup f JOIN households_household h ON h.id = f.household_id
 WHERE h.area_code LIKE %(like)s AND (f.status = 'open' OR f.completed_at >= %(m0_at)s)
 GROUP BY GROUPING SETS (({child}), (f.assignee_id), ())
"""


def followup_rows(scope: Scope, day: dt.date) -> list[tuple]:
    """As dashboards.summary.followup_rows, from the follow-ups."""
    params = {
        "like": scope.like,
        "day": day,
        "m0_at": end_of_day(month_start(day) - dt.timedelta(days=1)),
        "cutoff": end_of_day(day),
        "tz": settings.TIME_ZONE,
    }
    return fetch_rows(_FOLLOWUPS.format(child=child_sql("h.area_code", scope)), params)


_VISITS = """
SELECT date_trunc('month', v.visit_date)::date, v.method, count(*)
  FROM cases_visit v JOIN households_household h ON h.id = v.household_id
 WHERE h.area_code LIKE %(like)s AND v.visit_date >= %(since)s AND v.visit_date <= %(day)s
 GROUP BY 1, 2
"""


def visit_rows(scope: Scope, day: dt.date, since: dt.date) -> list[tuple]:
    """As dashboards.summary.visit_rows, from the visits."""
    return fetch_rows(_VISITS, {"like": scope.like, "since": since, "day": day})
