"""The category table read from the maintained caseload summary (cases/summary.py).

Two small reads: the checkpoint of the day's month (CaseloadMonth: one row per area and
category) plus the deltas from the 2nd of the month to the day (CaseloadDelta), and the
month's changes from the same deltas. Rows come back in the shape of the direct GROUP BY
(cases.dashboard.caseload), so the two are interchangeable and can be compared.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cases.dashboard.common import Scope, child_sql, fetch_rows, month_start

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
