"""The dashboard's summary tables: reading them, building them, moving their horizon on.

The tables (dashboards/models.py) are kept up to date by database triggers in the
transactions that change enrolments, their covered members, a household's area, visits and
follow-ups; the counting rules those triggers follow are in dashboards/sql/ (the file of
each rule's highest version is the one in force). Python reads the tables for the panels,
builds them from scratch and moves the checkpoints' horizon on.

The panels read nothing else for these numbers: a summary is built by the migrations and
again after a flush (dashboards.apps), so a missing one is an error, not an empty table.
The GROUP BYs over the registry that give the same numbers are the tests' oracle
(tests/dashboard/oracle.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from dashboards.panels.common import child_sql, fetch_rows, month_start

if TYPE_CHECKING:
    from dashboards.panels.common import Scope


class SummaryNotBuiltError(RuntimeError):
    """No horizon row: the summary was never built, or a bulk load is rebuilding it."""

    def __init__(self) -> None:
        super().__init__("the dashboard summary is not built: manage.py caseload_summary --rebuild")


# ---- reading: the category table, visits and follow-ups for a scope and a day ------------

ALL = "*"  # the summary's category of "any category": the table's total column

_HORIZON = "SELECT month FROM cases_caseloadhorizon WHERE id = 1"


def _horizon_built() -> dt.date:
    """The last month with a checkpoint; SummaryNotBuiltError without a summary."""
    found = fetch_rows(_HORIZON, {})
    if not found:
        raise SummaryNotBuiltError
    return found[0][0]


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


def caseload_rows(scope: Scope, day: dt.date) -> tuple[list[tuple], list[tuple]]:
    """The category table on `day` and the month's changes up to it, as GROUPING SETS rows:
    (child, category, 户, 人, GROUPING(child), GROUPING(category)) and
    (None, category, new, suspended, ended, 1).

    Two small reads: the checkpoint of the day's month (or of the horizon, for a day past
    it) plus the deltas from the day after it to the day.
    """
    m0 = month_start(day)
    checkpoint = min(m0, _horizon_built())
    params: dict[str, Any] = {"like": scope.like, "day": day, "m0": m0, "cp": checkpoint}
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


# The case-work panels: visits and follow-ups counted per area, day and month.

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


def visit_rows(scope: Scope, day: dt.date, since: dt.date) -> list[tuple]:
    """(month, method, visits) from `since` to `day`: whole months, then the day's month."""
    _horizon_built()
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


def followup_rows(scope: Scope, day: dt.date) -> list[tuple]:
    """(child, assignee, overdue, upcoming, on time, late, GROUPING(child),
    GROUPING(assignee)) for the area, each child and each assignee."""
    _horizon_built()
    params = {"like": scope.like, "m0": month_start(day), "day": day}
    return fetch_rows(_FOLLOWUPS.format(child=child_sql("u.area_code", scope)), params)


# ---- building: from scratch, and the checkpoints' horizon ----------------------------------

# Monthly checkpoints run this far ahead of today; a later day reads the last one plus deltas.
HORIZON_MONTHS = 24


def _horizon(today: dt.date) -> dt.date:
    month = today.month - 1 + HORIZON_MONTHS
    return dt.date(today.year + month // 12, month % 12 + 1, 1)


@transaction.atomic
def caseload_summary_rebuild(*, today: dt.date | None = None) -> None:
    """Recompute the whole summary from the registry (after a restore, or to verify).

    Registry writers wait for it: their triggers share-lock the horizon row it holds.
    """
    horizon = _horizon(today or timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SELECT dashboards_caseload_rebuild(%s, %s)", [settings.TIME_ZONE, horizon])
        cursor.execute("SELECT dashboards_casework_rebuild()")


@transaction.atomic
def caseload_summary_extend(*, today: dt.date | None = None) -> int:
    """Move the checkpoints' horizon to HORIZON_MONTHS ahead (nightly); months added.

    Idempotent: a second run the same day adds nothing. Without a built summary it does
    nothing (`caseload_summary --rebuild`, or the next migrate, builds one).
    """
    horizon = _horizon(today or timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute("SELECT dashboards_caseload_extend(%s)", [horizon])
        return int(cursor.fetchone()[0])


@contextlib.contextmanager
def summary_paused(*, today: dt.date | None = None) -> Iterator[None]:
    """Keep the summary out of a bulk load, then rebuild it once: for one big transaction.

    Each statement that adds households, enrolments or covered members refreshes their part
    of the summary, and the summary rows every household touches (an area's day, its months)
    are updated again and again inside one transaction, whose old row versions nobody can
    prune until it commits: a 100,000-household demo seed slowed to a crawl (over 17 min
    unfinished, most of it in the refresh's index inserts), where the load alone takes about
    a minute. So, inside the caller's transaction: the horizon row goes (every summary
    trigger then returns at once, as before a summary is built), and the summary is rebuilt
    from the registry at the end. Without a built summary nothing is built.

    For loads that lock the registry tables meanwhile (`demo.load`): a visit or
    follow-up written by someone else during the load is not counted until the next rebuild.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("summary_paused() belongs inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_caseloadhorizon WHERE id = 1 RETURNING id")
        built = cursor.fetchone() is not None
    yield
    if built:
        caseload_summary_rebuild(today=today)
