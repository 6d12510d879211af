# SQL here is built from the schedule's own fragments (cases/schedule.py, from model _meta and
# the predicates); every value is a query parameter.
# ruff: noqa: S608
"""How many households a change to the tier rules would move between tiers, before it is saved.

One read-only statement evaluates the active rules as they are and as they would be, with the
nightly job's own pieces (rules as VALUES, each predicate's matching rows, the most urgent
tier winning, the catch-all for the rest), for every active household in scope, and counts
the households by (tier now, tier after). Nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction

from access.scope import like
from cases import schedule
from cases.schedule import RuleRow, _Binder, _fallback, _matched, _rules_values
from households.models import Household

_HH = Household._meta.db_table
TIERS = ("A", "B", "C", "")


@dataclass
class TierMoves:
    """Households by (tier now, tier after the change); "" is "no tier" (no rule applies)."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def moves(self) -> list[tuple[str, str, int]]:
        return sorted(
            ((a, b, n) for (a, b), n in self.counts.items() if a != b),
            key=lambda m: (TIERS.index(m[0]), TIERS.index(m[1])),
        )

    @property
    def moved(self) -> int:
        return sum(n for _a, _b, n in self.moves)

    @property
    def unchanged(self) -> int:
        return sum(n for (a, b), n in self.counts.items() if a == b)

    def total(self, tier: str, *, after: bool) -> int:
        return sum(n for (a, b), n in self.counts.items() if (b if after else a) == tier)


def _tiers_cte(key: str, rules: list[RuleRow], ctx: schedule.Context, bind: _Binder) -> str:
    values = _rules_values(rules, bind)
    matched = _matched(rules, ctx, bind)
    fallback = bind(_fallback(rules))
    return f"""
rules_{key} (id, tier, name, interval_months, priority) AS ({values}),
matched_{key} (household_id, rule_id) AS (
    {matched}
),
winner_{key} AS (
    SELECT DISTINCT ON (m.household_id) m.household_id, r.tier
    FROM matched_{key} m JOIN rules_{key} r ON r.id = m.rule_id
    ORDER BY m.household_id, r.tier, r.priority, r.id
),
tier_{key} AS (
    SELECT c.id, coalesce(w.tier, (SELECT f.tier FROM rules_{key} f
                                   WHERE f.id = {fallback}::bigint), '') AS tier
    FROM chunk c LEFT JOIN winner_{key} w ON w.household_id = c.id
)"""


def preview_statement(
    *, current: list[RuleRow], proposed: list[RuleRow], today: dt.date, prefix: str
) -> tuple[str, dict]:
    bind = _Binder()
    ctx = schedule.make_context(today)
    now = _tiers_cte("now", current, ctx, bind)
    after = _tiers_cte("after", proposed, ctx, bind)
    bind.values.update(lo=0, hi=2**62, scope=like(prefix))
    sql = f"""
WITH chunk AS MATERIALIZED (
    SELECT h.id FROM {_HH} h
    WHERE h.status = 'active' AND h.area_code LIKE %(scope)s
),
{now},
{after}
SELECT n.tier, a.tier, count(*)
FROM tier_now n JOIN tier_after a ON a.id = n.id
GROUP BY n.tier, a.tier
"""
    return sql, bind.values


def tier_moves(
    *, current: list[RuleRow], proposed: list[RuleRow], today: dt.date, prefix: str
) -> TierMoves:
    """Count the households by tier now and after, in one statement that writes nothing."""
    sql, params = preview_statement(current=current, proposed=proposed, today=today, prefix=prefix)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as the job does: the CTEs' estimates are far off
        cursor.execute(sql, params)
        return TierMoves({(a, b): n for a, b, n in cursor.fetchall()})
