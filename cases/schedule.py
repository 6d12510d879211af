# SQL here is built from table names taken from model _meta and from the predicates' own
# fragments; every value is a query parameter.
# ruff: noqa: S608
"""The follow-up schedule in SQL: tiers and the one open follow-up per household, set-based.

One statement per chunk of households (`schedule_statement`) evaluates every active tier rule,
writes the winning tier and its rule's name to the household when they change, and upserts
the household's open follow-up (INSERT … SELECT … ON CONFLICT … DO UPDATE … WHERE something
changed). Run on the same data it changes nothing, so a run cut short anywhere converges
when run again. visit_log and the hardship alert use the same statement for one household.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from access.scope import sql_within
from cases.models import FollowUp, HardshipAlert, TierRule, Visit
from cases.predicates import CATALOGUE, Context, hardship_window_start
from households.models import Area, Household, User

# Transaction-level advisory lock: the job takes it exclusively for each chunk, single
# households (visit_log, alerts) share it, so the two never interleave on the same rows.
SCHEDULE_LOCK = 0x7A6C_0301
# Session-level: one run of the whole job at a time.
RUN_LOCK = 0x7A6C_0302

_HH = Household._meta.db_table
_FU = FollowUp._meta.db_table
_VISIT = Visit._meta.db_table
_ALERT = HardshipAlert._meta.db_table
_USER = User._meta.db_table
_AREA = Area._meta.db_table


@dataclass(frozen=True)
class RuleRow:
    """A rule as the run saw it at its start, so every chunk applies the same rules."""

    id: int
    code: str
    name: str
    tier: str
    interval_months: int
    priority: int
    params: dict[str, Any]


@dataclass
class ScheduleResult:
    households: int = 0
    chunks: int = 0
    tiers_changed: int = 0
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    skipped: bool = False

    @property
    def rows_changed(self) -> int:
        return self.tiers_changed + self.created + self.updated + self.cancelled

    def add(self, row: tuple[int, ...]) -> None:
        households, tiers, created, updated, cancelled = row
        self.households += households
        self.tiers_changed += tiers
        self.created += created
        self.updated += updated
        self.cancelled += cancelled


def load_rules() -> list[RuleRow]:
    """The active rules, checked against the catalogue; a rule naming no predicate is skipped."""
    rows = []
    for rule in TierRule.objects.filter(active=True).order_by("tier", "priority", "id"):
        predicate = CATALOGUE.get(rule.code)
        if predicate is None:
            continue
        rows.append(
            RuleRow(
                id=rule.pk,
                code=rule.code,
                name=rule.name,
                tier=rule.tier,
                interval_months=rule.interval_months,
                priority=rule.priority,
                params=predicate.clean(rule.params),
            )
        )
    return rows


def make_context(today: dt.date) -> Context:
    tz = timezone.get_default_timezone()

    def since_start_of(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=tz)

    return Context(today=today, since_start_of=since_start_of)


class _Binder:
    """Collects parameter values and hands out their named placeholders."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, value: Any) -> str:
        key = f"p{len(self.values)}"
        self.values[key] = value
        return f"%({key})s"


def _matched(rules: list[RuleRow], ctx: Context, bind: _Binder) -> str:
    """`household_id, rule_id` for every rule and household of the chunk that meets it.

    Each predicate reads its own table through a range on its household column, so a chunk
    costs one index range scan per rule, not one probe per household and rule. (Reading a
    table once for all the rules on it, by unnest(ARRAY[CASE …]) or through one shared
    narrow CTE, measured no faster.)
    """
    parts = []
    for rule in rules:
        if rule.code == FALLBACK:
            continue
        source = CATALOGUE[rule.code].source(rule.params, ctx, bind)
        if source is None:
            continue
        col = source.household
        parts.append(
            f"SELECT {col}, {bind(rule.id)}::bigint FROM {source.table}"
            f" WHERE {col} > %(lo)s AND {col} <= %(hi)s AND ({source.condition})"
        )
    if not parts:
        return "SELECT NULL::bigint, NULL::bigint WHERE FALSE"
    return "\n    UNION ALL ".join(parts)


FALLBACK = "active_household"


def _fallback(rules: list[RuleRow]) -> int | None:
    """The catch-all rule ("every other active household"): the most urgent one, if any."""
    return next((r.id for r in rules if r.code == FALLBACK), None)


def _rules_values(rules: list[RuleRow], bind: _Binder) -> str:
    if not rules:
        return "SELECT NULL::bigint, NULL::text, NULL::text, NULL::int, NULL::int WHERE FALSE"
    rows = [
        f"({bind(r.id)}::bigint, {bind(r.tier)}::text, {bind(r.name)}::text,"
        f" {bind(r.interval_months)}::int, {bind(r.priority)}::int)"
        for r in rules
    ]
    return "VALUES " + ", ".join(rows)


def _alerts(rules: list[RuleRow], ctx: Context, bind: _Binder) -> tuple[str, str]:
    """The chunk's unresolved alerts (a CTE), and the due date they bring forward.

    The earliest alert recorded since the last contact sets a due date within the hardship
    rule's `due_within_days`; without an active hardship rule alerts change nothing.
    """
    hardship = next((r for r in rules if r.code == "hardship_alert"), None)
    if hardship is None:
        return "SELECT NULL::bigint AS household_id, NULL::timestamptz AS at WHERE FALSE", "NULL"
    cte = (
        f"SELECT a.household_id, a.created_at AS at FROM {_ALERT} a"
        " WHERE a.household_id > %(lo)s AND a.household_id <= %(hi)s AND a.resolved_at IS NULL"
        f" AND a.created_at >= {bind(hardship_window_start(hardship.params, ctx))}"
    )
    due = (
        "(SELECT (min(al.at) AT TIME ZONE %(tz)s)::date"
        f" + {bind(hardship.params['due_within_days'])}::int FROM alerts al"
        " WHERE al.household_id = c.id AND (lc.last_at IS NULL OR al.at > lc.last_at))"
    )
    return cte, due


def schedule_statement(*, rules: list[RuleRow], ctx: Context) -> tuple[str, dict[str, Any]]:
    """The one statement that tiers and schedules the households with lo < id <= hi.

    Built once per run; each chunk passes its own `lo` and `hi` with the parameters returned.
    Tier changes land in the household's history through its pghistory trigger, like every
    other change to the registry; the caller sets the pghistory context (job or user).
    """
    bind = _Binder()
    values = _rules_values(rules, bind)
    matched = _matched(rules, ctx, bind)
    alerts, alert_due = _alerts(rules, ctx, bind)
    bind.values.update(
        now=timezone.now(), today=ctx.today, tz=settings.TIME_ZONE, fallback=_fallback(rules)
    )
    sql = f"""
WITH chunk AS MATERIALIZED (
    SELECT h.id, h.area_code, h.worker_id, h.status, h.tier, h.tier_reason, h.created_at
    FROM {_HH} h WHERE h.id > %(lo)s AND h.id <= %(hi)s
),
rules (id, tier, name, interval_months, priority) AS ({values}),
alerts AS MATERIALIZED ({alerts}),
matched (household_id, rule_id) AS (
    {matched}
),
winner AS (
    -- The most urgent tier any rule gives; within a tier the lowest priority names it.
    SELECT DISTINCT ON (m.household_id) m.household_id, m.rule_id
    FROM matched m JOIN rules r ON r.id = m.rule_id
    ORDER BY m.household_id, r.tier, r.priority, r.id
),
best AS (
    -- Active households only; those no rule matched take the catch-all rule, if active.
    SELECT c.id AS household_id, r.id AS rule_id, r.tier, r.name, r.interval_months
    FROM chunk c
    LEFT JOIN winner w ON w.household_id = c.id
    JOIN rules r ON r.id = coalesce(w.rule_id, %(fallback)s::bigint)
    WHERE c.status = 'active'
),
retiered AS (
    SELECT c.id, coalesce(b.tier, '') AS tier, coalesce(b.name, '') AS reason
    FROM chunk c LEFT JOIN best b ON b.household_id = c.id
    WHERE (c.tier, c.tier_reason) IS DISTINCT FROM (coalesce(b.tier, ''), coalesce(b.name, ''))
),
tier_update AS (
    UPDATE {_HH} hh SET tier = t.tier, tier_reason = t.reason, updated_at = %(now)s
    FROM retiered t WHERE hh.id = t.id
    RETURNING hh.id
),
current AS (
    SELECT f.id, f.household_id, f.due, f.tier, f.rule_id, f.assignee_id, f.overdue,
        f.reassigned
    FROM {_FU} f
    WHERE f.status = 'open' AND f.household_id > %(lo)s AND f.household_id <= %(hi)s
),
workers AS (
    SELECT u.id, a.prefix FROM {_USER} u JOIN {_AREA} a ON a.id = u.area_id
    WHERE u.role = 'social_worker' AND u.is_active AND length(a.prefix) >= 12
),
desired AS (
    SELECT b.household_id, c.area_code, b.tier, b.rule_id,
        LEAST(
            CASE WHEN lc.last_at IS NULL THEN (c.created_at AT TIME ZONE %(tz)s)::date
                 ELSE ((lc.last_at AT TIME ZONE %(tz)s)::date
                       + make_interval(months => b.interval_months))::date
            END,
            CASE WHEN c.id IN (SELECT household_id FROM alerts) THEN {alert_due} END
        ) AS due,
        CASE
            WHEN cur.reassigned AND kept.id IS NOT NULL THEN kept.id
            WHEN own.id IS NOT NULL THEN own.id
            ELSE kept.id
        END AS assignee_id,
        coalesce(cur.reassigned AND kept.id IS NOT NULL, FALSE) AS reassigned
    FROM best b
    JOIN chunk c ON c.id = b.household_id
    LEFT JOIN current cur ON cur.household_id = b.household_id
    -- The household's own worker, and the current assignee, while they can take it.
    LEFT JOIN workers own ON own.id = c.worker_id AND {sql_within("c.area_code", "own.prefix")}
    -- A reassignment may go to a worker of another community of the same street.
    LEFT JOIN workers kept ON kept.id = cur.assignee_id
        AND ({sql_within("c.area_code", "kept.prefix")}
        OR (cur.reassigned AND left(c.area_code, 9) = left(kept.prefix, 9)))
    LEFT JOIN LATERAL (
        SELECT v.visited_at AS last_at FROM {_VISIT} v
        WHERE v.household_id = b.household_id ORDER BY v.visited_at DESC LIMIT 1
    ) lc ON TRUE
),
needy AS (
    SELECT d.household_id, d.area_code,
        row_number() OVER (PARTITION BY d.area_code ORDER BY d.household_id) - 1 AS rn
    FROM desired d WHERE d.assignee_id IS NULL
),
candidates AS (
    SELECT n.area_code, w.id AS worker_id
    FROM (SELECT DISTINCT area_code FROM needy) n
    JOIN workers w ON {sql_within("n.area_code", "w.prefix")}
),
loads AS (
    -- Open follow-ups each candidate will hold: those of other households, and the ones
    -- this statement gives them (the household worker, or an assignment kept).
    SELECT assignee_id, count(*) AS n FROM (
        SELECT f.assignee_id FROM {_FU} f
        WHERE f.status = 'open' AND f.assignee_id IN (SELECT worker_id FROM candidates)
          AND NOT (f.household_id > %(lo)s AND f.household_id <= %(hi)s)
        UNION ALL
        SELECT d.assignee_id FROM desired d
        WHERE d.assignee_id IN (SELECT worker_id FROM candidates)
    ) held
    GROUP BY assignee_id
),
ranked AS (
    SELECT c.area_code, c.worker_id,
        row_number() OVER (
            PARTITION BY c.area_code ORDER BY coalesce(l.n, 0), c.worker_id) - 1 AS pos,
        count(*) OVER (PARTITION BY c.area_code) AS k
    FROM candidates c LEFT JOIN loads l ON l.assignee_id = c.worker_id
),
picked AS (
    SELECT n.household_id, r.worker_id
    FROM needy n JOIN ranked r ON r.area_code = n.area_code AND r.pos = n.rn %% r.k
),
final AS (
    SELECT d.household_id, d.due, d.tier, d.rule_id,
        coalesce(d.assignee_id, p.worker_id) AS assignee_id,
        d.due < %(today)s AS overdue, d.reassigned
    FROM desired d LEFT JOIN picked p ON p.household_id = d.household_id
),
upsert AS (
    -- Only rows that differ reach the INSERT; ON CONFLICT still settles a race with a
    -- concurrent writer, and its WHERE leaves an equal row untouched.
    INSERT INTO {_FU} AS f (uuid, created_at, updated_at, household_id, due, tier, rule_id,
        assignee_id, status, overdue, reassigned, visit_id, completed_at)
    SELECT gen_random_uuid(), %(now)s, %(now)s, fin.household_id, fin.due, fin.tier,
        fin.rule_id, fin.assignee_id, 'open', fin.overdue, fin.reassigned, NULL, NULL
    FROM final fin LEFT JOIN current cur ON cur.household_id = fin.household_id
    WHERE cur.id IS NULL
       OR (cur.due, cur.tier, cur.rule_id, cur.assignee_id, cur.overdue, cur.reassigned)
          IS DISTINCT FROM (fin.due, fin.tier, fin.rule_id, fin.assignee_id, fin.overdue,
                            fin.reassigned)
    ON CONFLICT (household_id) WHERE status = 'open' DO UPDATE SET
        due = EXCLUDED.due, tier = EXCLUDED.tier, rule_id = EXCLUDED.rule_id,
        assignee_id = EXCLUDED.assignee_id, overdue = EXCLUDED.overdue,
        reassigned = EXCLUDED.reassigned, updated_at = EXCLUDED.updated_at
    WHERE (f.due, f.tier, f.rule_id, f.assignee_id, f.overdue, f.reassigned)
        IS DISTINCT FROM (EXCLUDED.due, EXCLUDED.tier, EXCLUDED.rule_id,
                          EXCLUDED.assignee_id, EXCLUDED.overdue, EXCLUDED.reassigned)
    RETURNING (xmax = 0) AS inserted
),
cancel AS (
    UPDATE {_FU} f SET status = 'cancelled', updated_at = %(now)s
    FROM current cur
    WHERE f.id = cur.id
      AND NOT EXISTS (SELECT 1 FROM best b WHERE b.household_id = cur.household_id)
    RETURNING 1
)
SELECT
    (SELECT count(*) FROM chunk),
    (SELECT count(*) FROM tier_update),
    (SELECT count(*) FROM upsert WHERE inserted),
    (SELECT count(*) FROM upsert WHERE NOT inserted),
    (SELECT count(*) FROM cancel)
"""
    return sql, bind.values


def chunk_bounds(chunk_size: int) -> Iterator[tuple[int, int]]:
    """(after_id, last_id) of consecutive chunks of `chunk_size` households, by id."""
    after = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id FROM {_HH} WHERE id > %s ORDER BY id OFFSET %s LIMIT 1",
                [after, chunk_size - 1],
            )
            row = cursor.fetchone()
            if row is None:
                cursor.execute(f"SELECT max(id) FROM {_HH} WHERE id > %s", [after])
                last = cursor.fetchone()[0]
                if last is not None:
                    yield after, last
                return
            yield after, row[0]
            after = row[0]


def run_statement(sql: str, params: dict[str, Any], *, exclusive: bool) -> tuple[int, ...]:
    """Run the statement under the schedule lock; the caller holds the transaction."""
    lock = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {lock}(%s)", [SCHEDULE_LOCK])
        # The planner's row estimates for the CTEs are far off, which can trigger JIT
        # compilation that costs more (~150 ms a chunk) than the statement itself.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)
        return tuple(cursor.fetchone())


def try_run_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [RUN_LOCK])
        return bool(cursor.fetchone()[0])


def release_run_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [RUN_LOCK])
