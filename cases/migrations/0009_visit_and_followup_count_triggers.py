"""Keep visits and follow-ups counted per area, day and month, for the case-work panels.

Like the caseload summary (0006): statement-level triggers, relative upserts, in the writing
transaction. Rows are counted in the household's area of today, as the direct GROUP BYs
count them, so a household's move carries its counts along (a trigger on households). A
writer of visits or follow-ups share-locks the households it counts before reading their
area, so a concurrent move (which holds the row) either sees its rows or is seen by it.
Upserts go in key order, so two writers never wait on each other's rows in opposite orders. Nothing is kept while no summary is built (no row
in cases_caseloadhorizon); cases_panels_rebuild builds these tables from the registry.
"""

from django.db import migrations

# Upsert the day and month tables from `c` (household_id, <keys>, day, n), by today's area.
APPLY = """
    -- Statements that change nothing (the nightly re-run) leave at once: planned without
    -- rows to go on, the joins below would read every household.
    IF NOT EXISTS ({changes}) THEN
        RETURN NULL;
    END IF;
    -- By id through the index (= ANY(ARRAY)): a transition table's size is unknown to the
    -- planner, which would otherwise read every household for a few.
    PERFORM 1 FROM households_household h
      WHERE h.id = ANY(ARRAY(SELECT c.household_id FROM ({changes}) c))
      ORDER BY h.id FOR SHARE;
    WITH c AS ({changes}),
    hh AS (
        SELECT h.id, h.area_code FROM households_household h
         WHERE h.id = ANY(ARRAY(SELECT DISTINCT c.household_id FROM c))
    ),
    a AS (
        SELECT hh.area_code, {keys}, c.day, sum(c.n)::int AS n
          FROM c JOIN hh ON hh.id = c.household_id
         GROUP BY hh.area_code, {keys}, c.day HAVING sum(c.n) <> 0
    ),
    d AS (
        INSERT INTO {table}day AS t (area_code, {keys}, day, {count})
        SELECT area_code, {keys}, day, n FROM a ORDER BY area_code, {keys}, day
        ON CONFLICT (area_code, {keys}, day) DO UPDATE SET {count} = t.{count} + EXCLUDED.{count}
    )
    INSERT INTO {table}month AS t (area_code, {keys}, month, {count})
    SELECT area_code, {keys}, cases_month_of(day), sum(n) FROM a
     GROUP BY area_code, {keys}, cases_month_of(day) ORDER BY 1, 2, 3
    ON CONFLICT (area_code, {keys}, month) DO UPDATE SET {count} = t.{count} + EXCLUDED.{count};
"""

VISIT = {"table": "cases_visit", "keys": "method", "count": "visits"}
FOLLOWUP = {"table": "cases_followup", "keys": "assignee_id, kind", "count": "followups"}


def _visit_rows(rows: str, n: int) -> str:
    return f"SELECT r.household_id, r.method, r.visit_date AS day, {n} AS n FROM {rows} r"


def _followup_rows(rows: str, n: int, where: str = "TRUE") -> str:
    # Open ones on their due date; done ones on the local day they were done, on time or late.
    return (
        "SELECT r.household_id, coalesce(r.assignee_id, 0)::bigint AS assignee_id,"
        " CASE WHEN r.status = 'open' THEN 'open'"
        " WHEN (r.completed_at AT TIME ZONE tz)::date <= r.due THEN 'on_time' ELSE 'late' END"
        " AS kind,"
        " CASE WHEN r.status = 'open' THEN r.due"
        " ELSE (r.completed_at AT TIME ZONE tz)::date END AS day,"
        f" {n} AS n FROM {rows} r"
        " WHERE (r.status = 'open' OR (r.status = 'done' AND r.completed_at IS NOT NULL))"
        f" AND {where}"
    )


def _changed(columns: str) -> str:
    """Rows of an UPDATE whose counted columns changed (others change no count)."""
    return (
        f"r.id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id"
        f" WHERE ({', '.join('n.' + c for c in columns.split())})"
        f" IS DISTINCT FROM ({', '.join('o.' + c for c in columns.split())}))"
    )


def _function(name: str, spec: dict[str, str], rows: dict[str, str]) -> str:
    branches = {op: APPLY.format(changes=changes, **spec) for op, changes in rows.items()}
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tz text;
BEGIN
    SELECT h.time_zone INTO tz FROM cases_caseloadhorizon h WHERE h.id = 1 FOR SHARE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
{branches["INSERT"]}
    ELSIF TG_OP = 'DELETE' THEN
{branches["DELETE"]}
    ELSE
{branches["UPDATE"]}
    END IF;
    RETURN NULL;
END
$$;
"""


VISIT_COLUMNS = "household_id visit_date method"
FOLLOWUP_COLUMNS = "household_id assignee_id status due completed_at"

VISIT_FUNCTION = _function(
    "cases_visits_on_change",
    VISIT,
    {
        "INSERT": _visit_rows("new_rows", 1),
        "DELETE": _visit_rows("old_rows", -1),
        "UPDATE": (
            f"SELECT * FROM ({_visit_rows('new_rows', 1)} WHERE {_changed(VISIT_COLUMNS)}) x"
            f" UNION ALL SELECT * FROM ({_visit_rows('old_rows', -1)}"
            f" WHERE {_changed(VISIT_COLUMNS)}) y"
        ),
    },
)
FOLLOWUP_FUNCTION = _function(
    "cases_followups_on_change",
    FOLLOWUP,
    {
        "INSERT": _followup_rows("new_rows", 1),
        "DELETE": _followup_rows("old_rows", -1),
        "UPDATE": (
            f"{_followup_rows('new_rows', 1, _changed(FOLLOWUP_COLUMNS))}"
            f" UNION ALL {_followup_rows('old_rows', -1, _changed(FOLLOWUP_COLUMNS))}"
        ),
    },
)

# A household that moves takes its visits and follow-ups to its new area.
MOVED = (
    "SELECT n.id, o.area_code AS old, n.area_code AS new FROM new_rows n"
    " JOIN old_rows o ON o.id = n.id WHERE n.area_code IS DISTINCT FROM o.area_code"
)
MOVE_FUNCTION = """
CREATE OR REPLACE FUNCTION cases_counts_on_household_move() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tz text;
BEGIN
    SELECT h.time_zone INTO tz FROM cases_caseloadhorizon h WHERE h.id = 1 FOR SHARE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE n.area_code IS DISTINCT FROM o.area_code) THEN
        RETURN NULL;
    END IF;
    WITH cases_moved AS (""" + MOVED + """),
    vc AS (
        SELECT x.area_code, v.method, v.visit_date AS day, sum(x.n)::int AS n
          FROM cases_visit v JOIN cases_moved m ON m.id = v.household_id
         CROSS JOIN LATERAL (VALUES (m.old, -1), (m.new, 1)) AS x (area_code, n)
         GROUP BY 1, 2, 3 HAVING sum(x.n) <> 0
    ),
    d AS (
        INSERT INTO cases_visitday AS t (area_code, method, day, visits)
        SELECT area_code, method, day, n FROM vc ORDER BY 1, 2, 3
        ON CONFLICT (area_code, method, day) DO UPDATE SET visits = t.visits + EXCLUDED.visits
    )
    INSERT INTO cases_visitmonth AS t (area_code, method, month, visits)
    SELECT area_code, method, cases_month_of(day), sum(n) FROM vc GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT (area_code, method, month) DO UPDATE SET visits = t.visits + EXCLUDED.visits;
    WITH cases_moved AS (""" + MOVED + """),
    f AS (
        SELECT x.area_code, r.assignee_id, r.kind, r.day, sum(x.n)::int AS n
          FROM (""" + _followup_rows("cases_followup", 1) + """) r
          JOIN cases_moved m ON m.id = r.household_id
         CROSS JOIN LATERAL (VALUES (m.old, -1), (m.new, 1)) AS x (area_code, n)
         GROUP BY 1, 2, 3, 4 HAVING sum(x.n) <> 0
    ),
    d AS (
        INSERT INTO cases_followupday AS t (area_code, assignee_id, kind, day, followups)
        SELECT area_code, assignee_id, kind, day, n FROM f ORDER BY 1, 2, 3, 4
        ON CONFLICT (area_code, assignee_id, kind, day)
        DO UPDATE SET followups = t.followups + EXCLUDED.followups
    )
    INSERT INTO cases_followupmonth AS t (area_code, assignee_id, kind, month, followups)
    SELECT area_code, assignee_id, kind, cases_month_of(day), sum(n) FROM f GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (area_code, assignee_id, kind, month)
    DO UPDATE SET followups = t.followups + EXCLUDED.followups;
    RETURN NULL;
END
$$;
"""

REBUILD = """
CREATE OR REPLACE FUNCTION cases_panels_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    tz text;
BEGIN
    SELECT h.time_zone INTO tz FROM cases_caseloadhorizon h WHERE h.id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    TRUNCATE cases_visitday, cases_visitmonth, cases_followupday, cases_followupmonth;
    INSERT INTO cases_visitday (area_code, method, day, visits)
    SELECT h.area_code, v.method, v.visit_date, count(*)
      FROM cases_visit v JOIN households_household h ON h.id = v.household_id
     GROUP BY 1, 2, 3;
    INSERT INTO cases_visitmonth (area_code, method, month, visits)
    SELECT area_code, method, cases_month_of(day), sum(visits) FROM cases_visitday
     GROUP BY 1, 2, 3;
    INSERT INTO cases_followupday (area_code, assignee_id, kind, day, followups)
    SELECT h.area_code, r.assignee_id, r.kind, r.day, count(*)
      FROM (""" + _followup_rows("cases_followup", 1) + """) r
      JOIN households_household h ON h.id = r.household_id
     GROUP BY 1, 2, 3, 4;
    INSERT INTO cases_followupmonth (area_code, assignee_id, kind, month, followups)
    SELECT area_code, assignee_id, kind, cases_month_of(day), sum(followups)
      FROM cases_followupday GROUP BY 1, 2, 3, 4;
END
$$;
"""


def _triggers(name: str, table: str, function: str, ops: tuple[str, ...]) -> str:
    tables = {
        "insert": "NEW TABLE AS new_rows",
        "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "delete": "OLD TABLE AS old_rows",
    }
    return "\n".join(
        f"CREATE TRIGGER {name}_{op} AFTER {op.upper()} ON {table}"
        f" REFERENCING {tables[op]} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        for op in ops
    )


ALL = ("insert", "update", "delete")
TRIGGERS = [
    ("cases_counts", "cases_visit", "cases_visits_on_change", ALL),
    ("cases_counts", "cases_followup", "cases_followups_on_change", ALL),
    ("cases_counts", "households_household", "cases_counts_on_household_move", ("update",)),
]

FORWARD = "\n".join(
    [VISIT_FUNCTION, FOLLOWUP_FUNCTION, MOVE_FUNCTION, REBUILD]
    + [_triggers(*spec) for spec in TRIGGERS]
)
BACKWARD = "\n".join(
    [
        f"DROP TRIGGER IF EXISTS {name}_{op} ON {table};"
        for name, table, _function, ops in TRIGGERS
        for op in ops
    ]
    + [
        "DROP FUNCTION IF EXISTS cases_visits_on_change();",
        "DROP FUNCTION IF EXISTS cases_followups_on_change();",
        "DROP FUNCTION IF EXISTS cases_counts_on_household_move();",
        "DROP FUNCTION IF EXISTS cases_panels_rebuild();",
    ]
)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_visit_and_followup_counts")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
