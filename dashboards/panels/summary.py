"""The category table read from the maintained caseload summary (cases/summary.py).

Two small reads: the checkpoint of the day's month (CaseloadMonth: one row per area and
category) plus the deltas from the 2nd of the month to the day (CaseloadDelta), and the
month's changes from the same deltas. Rows come back in the shape of the direct GROUP BY
(cases.dashboard.caseload), so the two are interchangeable and can be compared.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dashboards.panels.common import Scope, child_sql, fetch_rows, month_start

ALL = "*"  # the summary's category of "any category": the table's total column

_HORIZON = "SELECT month FROM cases_caseloadhorizon WHERE id = 1"
_TABLE = """
WITH u AS (
  SELECT m.area_code, m.category, m.households, m.persons
    FROM cases_caseloadmonth m
   WHERE m.month = %(cp)s AND m.area_code LIKE %(like)s
  UNION ALL
  SELECT d.area_code, d.category, d.households, d.persons
    FROM cases_caseloaddelta d
   WHERE d.day > %(cp)s AND d.day <= %(day)s AND d.area_code LIKE %(like)s
)
SELECT {child} AS child, category, sum(households)::int, sum(persons)::int, GROUPING({child})
  FROM u
 GROUP BY GROUPING SETS (({child}, category), (category))
HAVING sum(households) <> 0 OR sum(persons) <> 0
"""
_CHANGES = """
SELECT d.category, sum(d.new)::int, sum(d.suspended)::int, sum(d.ended)::int
  FROM cases_caseloaddelta d
 WHERE d.day >= %(m0)s AND d.day <= %(day)s AND d.area_code LIKE %(like)s
   AND d.category <> '*' AND (d.new <> 0 OR d.suspended <> 0 OR d.ended <> 0)
 GROUP BY d.category
"""


def summary_rows(scope: Scope, day: dt.date) -> tuple[list[tuple], list[tuple]] | None:
    """(table rows, change rows) as the direct GROUP BY gives them; None without a summary."""
    found = fetch_rows(_HORIZON, {})
    if not found:
        return None
    m0 = month_start(day)
    params: dict[str, Any] = {"like": scope.like, "day": day, "m0": m0, "cp": min(m0, found[0][0])}
    table = [
        (child, None if code == ALL else code, hh, persons, g_child, int(code == ALL))
        for child, code, hh, persons, g_child in fetch_rows(
            _TABLE.format(child=child_sql("u.area_code", scope)), params
        )
    ]
    changes = [
        (None, code, new, suspended, ended, 1)
        for code, new, suspended, ended in fetch_rows(_CHANGES, params)
    ]
    return table, changes


# ---- the case-work panels: visits and follow-ups counted per area, day and month --------

_VISITS = """
SELECT month, method, sum(n)::int FROM (
  SELECT m.month, m.method, m.visits AS n FROM cases_visitmonth m
   WHERE m.month >= %(since)s AND m.month < %(m0)s AND m.area_code LIKE %(like)s
  UNION ALL
  SELECT %(m0)s::date, d.method, d.visits FROM cases_visitday d
   WHERE d.day >= %(m0)s AND d.day <= %(day)s AND d.area_code LIKE %(like)s
) x
GROUP BY 1, 2
HAVING sum(n) <> 0
"""


def visit_rows(scope: Scope, day: dt.date, since: dt.date) -> list[tuple] | None:
    """(month, method, visits) from `since` to `day`, as the direct GROUP BY; None if unbuilt."""
    if not fetch_rows(_HORIZON, {}):
        return None
    params = {"like": scope.like, "since": since, "m0": month_start(day), "day": day}
    return fetch_rows(_VISITS, params)


# Overdue on D: open and due before D (whole months before D's month, then its days);
# upcoming: the other open ones; done on time or late: the days of D's month up to D.
_FOLLOWUPS = """
WITH u AS (
  SELECT m.area_code, m.assignee_id,
         CASE WHEN m.month < %(m0)s THEN m.followups ELSE 0 END AS overdue,
         m.followups AS open_n, 0 AS on_time, 0 AS late
    FROM cases_followupmonth m
   WHERE m.kind = 'open' AND m.area_code LIKE %(like)s
  UNION ALL
  SELECT d.area_code, d.assignee_id,
         CASE WHEN d.kind = 'open' AND d.day < %(day)s THEN d.followups ELSE 0 END, 0,
         CASE WHEN d.kind = 'on_time' THEN d.followups ELSE 0 END,
         CASE WHEN d.kind = 'late' THEN d.followups ELSE 0 END
    FROM cases_followupday d
   WHERE d.day >= %(m0)s AND d.day <= %(day)s AND d.area_code LIKE %(like)s
)
SELECT {child} AS child, nullif(assignee_id, 0), sum(overdue)::int,
       (sum(open_n) - sum(overdue))::int, sum(on_time)::int, sum(late)::int,
       GROUPING({child}), GROUPING(assignee_id)
  FROM u
 GROUP BY GROUPING SETS (({child}), (assignee_id), ())
HAVING sum(open_n) <> 0 OR sum(on_time) <> 0 OR sum(late) <> 0
"""


def followup_rows(scope: Scope, day: dt.date) -> list[tuple] | None:
    """Rows of the follow-up panel, as the direct GROUP BY gives them; None if unbuilt."""
    if not fetch_rows(_HORIZON, {}):
        return None
    params = {"like": scope.like, "m0": month_start(day), "day": day}
    return fetch_rows(_FOLLOWUPS.format(child=child_sql("u.area_code", scope)), params)
