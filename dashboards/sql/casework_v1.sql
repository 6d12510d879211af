-- The case-work panels' counting rule, version 1: visits and follow-ups counted per area,
-- day and month (cases_visitday, cases_visitmonth, cases_followupday, cases_followupmonth).
-- Applied by dashboards/migrations/0002_counting_rules_v1.py after caseload_v1.sql (it uses
-- its dashboards_month_of); versioned as that file is: a change goes into casework_v2.sql.
--
-- Like the caseload summary: statement-level triggers, relative upserts, in the writing
-- transaction. Rows are counted in the household's area of today, as the panels read them,
-- so a household's move carries its counts along (a trigger on households). A writer of
-- visits or follow-ups share-locks the households it counts before reading their area, so a
-- concurrent move (which holds the row) either sees its rows or is seen by it. Upserts go
-- in key order, so two writers never wait on each other's rows in opposite orders. Nothing
-- is kept while no summary is built (no row in cases_caseloadhorizon);
-- dashboards_casework_rebuild builds these tables from the registry.

-- A change to the counts: one visit or follow-up counted (n = 1) or no longer counted (-1).
-- Types are not replaced in place: a later version drops them first (and, with them, the
-- functions below that take them, which it creates again).
CREATE TYPE dashboards_visit_change AS (household_id bigint, method varchar, day date, n integer);
CREATE TYPE dashboards_followup_change AS (
    household_id bigint, assignee_id bigint, kind varchar, day date, n integer
);

-- How a follow-up counts: an open one on its due date ("open"); a done one on the local day
-- it was done, "on_time" up to its due date and "late" after; any other (cancelled, or done
-- without a time) not at all. Its assignee is 0 when it has none.
CREATE OR REPLACE FUNCTION dashboards_followup_counted(f cases_followup, tz text, n integer)
RETURNS SETOF dashboards_followup_change LANGUAGE sql STABLE AS $$
    SELECT f.household_id, coalesce(f.assignee_id, 0)::bigint,
           (CASE WHEN f.status = 'open' THEN 'open'
                 WHEN (f.completed_at AT TIME ZONE tz)::date <= f.due THEN 'on_time'
                 ELSE 'late' END)::varchar,
           CASE WHEN f.status = 'open' THEN f.due
                ELSE (f.completed_at AT TIME ZONE tz)::date END,
           n
     WHERE f.status = 'open' OR (f.status = 'done' AND f.completed_at IS NOT NULL)
$$;

-- Add `changes` to the day and month tables, in the area each household is in today.
CREATE OR REPLACE FUNCTION dashboards_visits_apply(changes dashboards_visit_change[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Statements that change nothing (the nightly re-run) leave at once: planned without
    -- rows to go on, the joins below would read every household.
    IF cardinality(changes) = 0 THEN
        RETURN;
    END IF;
    -- By id through the index (= ANY(ARRAY)): the number of changes is unknown to the
    -- planner, which would otherwise read every household for a few.
    PERFORM 1 FROM households_household h
      WHERE h.id = ANY(ARRAY(SELECT c.household_id FROM unnest(changes) c))
      ORDER BY h.id FOR SHARE;
    WITH hh AS (
        SELECT h.id, h.area_code FROM households_household h
         WHERE h.id = ANY(ARRAY(SELECT DISTINCT c.household_id FROM unnest(changes) c))
    ),
    a AS (
        SELECT hh.area_code, c.method, c.day, sum(c.n)::int AS n
          FROM unnest(changes) c JOIN hh ON hh.id = c.household_id
         GROUP BY hh.area_code, c.method, c.day HAVING sum(c.n) <> 0
    ),
    d AS (
        INSERT INTO cases_visitday AS t (area_code, method, day, visits)
        SELECT area_code, method, day, n FROM a ORDER BY area_code, method, day
        ON CONFLICT (area_code, method, day) DO UPDATE SET visits = t.visits + EXCLUDED.visits
    )
    INSERT INTO cases_visitmonth AS t (area_code, method, month, visits)
    SELECT area_code, method, dashboards_month_of(day), sum(n) FROM a
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (area_code, method, month) DO UPDATE SET visits = t.visits + EXCLUDED.visits;
END
$$;

CREATE OR REPLACE FUNCTION dashboards_followups_apply(changes dashboards_followup_change[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- As dashboards_visits_apply.
    IF cardinality(changes) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM households_household h
      WHERE h.id = ANY(ARRAY(SELECT c.household_id FROM unnest(changes) c))
      ORDER BY h.id FOR SHARE;
    WITH hh AS (
        SELECT h.id, h.area_code FROM households_household h
         WHERE h.id = ANY(ARRAY(SELECT DISTINCT c.household_id FROM unnest(changes) c))
    ),
    a AS (
        SELECT hh.area_code, c.assignee_id, c.kind, c.day, sum(c.n)::int AS n
          FROM unnest(changes) c JOIN hh ON hh.id = c.household_id
         GROUP BY hh.area_code, c.assignee_id, c.kind, c.day HAVING sum(c.n) <> 0
    ),
    d AS (
        INSERT INTO cases_followupday AS t (area_code, assignee_id, kind, day, followups)
        SELECT area_code, assignee_id, kind, day, n FROM a ORDER BY 1, 2, 3, 4
        ON CONFLICT (area_code, assignee_id, kind, day)
        DO UPDATE SET followups = t.followups + EXCLUDED.followups
    )
    INSERT INTO cases_followupmonth AS t (area_code, assignee_id, kind, month, followups)
    SELECT area_code, assignee_id, kind, dashboards_month_of(day), sum(n) FROM a
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (area_code, assignee_id, kind, month)
    DO UPDATE SET followups = t.followups + EXCLUDED.followups;
END
$$;

-- Trigger functions: the rows a statement added (+1) and removed (-1); an UPDATE moves only
-- rows whose counted columns changed (the nightly job rewrites follow-ups in bulk).
CREATE OR REPLACE FUNCTION dashboards_visits_on_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM cases_caseloadhorizon h WHERE h.id = 1 FOR SHARE;
    IF NOT FOUND THEN
        RETURN NULL;  -- no summary built, or paused for a bulk load
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dashboards_visits_apply(ARRAY(
            SELECT (r.household_id, r.method, r.visit_date, 1)::dashboards_visit_change
              FROM new_rows r));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM dashboards_visits_apply(ARRAY(
            SELECT (r.household_id, r.method, r.visit_date, -1)::dashboards_visit_change
              FROM old_rows r));
    ELSE
        PERFORM dashboards_visits_apply(ARRAY(
            SELECT (x.household_id, x.method, x.day, x.n)::dashboards_visit_change
              FROM new_rows n JOIN old_rows o ON o.id = n.id
             CROSS JOIN LATERAL (VALUES (n.household_id, n.method, n.visit_date, 1),
                                        (o.household_id, o.method, o.visit_date, -1)
                                ) AS x (household_id, method, day, n)
             WHERE (n.household_id, n.visit_date, n.method)
                   IS DISTINCT FROM (o.household_id, o.visit_date, o.method)));
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION dashboards_followups_on_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tz text;
BEGIN
    SELECT h.time_zone INTO tz FROM cases_caseloadhorizon h WHERE h.id = 1 FOR SHARE;
    IF NOT FOUND THEN
        RETURN NULL;  -- no summary built, or paused for a bulk load
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM dashboards_followups_apply(ARRAY(
            SELECT c FROM new_rows r, dashboards_followup_counted(r, tz, 1) c));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM dashboards_followups_apply(ARRAY(
            SELECT c FROM old_rows r, dashboards_followup_counted(r, tz, -1) c));
    ELSE
        PERFORM dashboards_followups_apply(ARRAY(
            SELECT c FROM new_rows n JOIN old_rows o ON o.id = n.id,
                          dashboards_followup_counted(n, tz, 1) c
             WHERE (n.household_id, n.assignee_id, n.status, n.due, n.completed_at)
                   IS DISTINCT FROM
                   (o.household_id, o.assignee_id, o.status, o.due, o.completed_at)
            UNION ALL
            SELECT c FROM new_rows n JOIN old_rows o ON o.id = n.id,
                          dashboards_followup_counted(o, tz, -1) c
             WHERE (n.household_id, n.assignee_id, n.status, n.due, n.completed_at)
                   IS DISTINCT FROM
                   (o.household_id, o.assignee_id, o.status, o.due, o.completed_at)));
    END IF;
    RETURN NULL;
END
$$;

-- A household that moves takes its visits and follow-ups to its new area: out of the old
-- one (-1), into the new (+1).
CREATE OR REPLACE FUNCTION dashboards_counts_on_household_move() RETURNS trigger
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
    WITH moved AS (
        SELECT n.id, o.area_code AS old, n.area_code AS new
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.area_code IS DISTINCT FROM o.area_code
    ),
    vc AS (
        SELECT x.area_code, v.method, v.visit_date AS day, sum(x.n)::int AS n
          FROM cases_visit v JOIN moved m ON m.id = v.household_id
         CROSS JOIN LATERAL (VALUES (m.old, -1), (m.new, 1)) AS x (area_code, n)
         GROUP BY 1, 2, 3 HAVING sum(x.n) <> 0
    ),
    d AS (
        INSERT INTO cases_visitday AS t (area_code, method, day, visits)
        SELECT area_code, method, day, n FROM vc ORDER BY 1, 2, 3
        ON CONFLICT (area_code, method, day) DO UPDATE SET visits = t.visits + EXCLUDED.visits
    )
    INSERT INTO cases_visitmonth AS t (area_code, method, month, visits)
    SELECT area_code, method, dashboards_month_of(day), sum(n) FROM vc GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT (area_code, method, month) DO UPDATE SET visits = t.visits + EXCLUDED.visits;
    WITH moved AS (
        SELECT n.id, o.area_code AS old, n.area_code AS new
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.area_code IS DISTINCT FROM o.area_code
    ),
    fc AS (
        SELECT x.area_code, c.assignee_id, c.kind, c.day, sum(x.n)::int AS n
          FROM cases_followup f JOIN moved m ON m.id = f.household_id
         CROSS JOIN LATERAL dashboards_followup_counted(f, tz, 1) c
         CROSS JOIN LATERAL (VALUES (m.old, -1), (m.new, 1)) AS x (area_code, n)
         GROUP BY 1, 2, 3, 4 HAVING sum(x.n) <> 0
    ),
    d AS (
        INSERT INTO cases_followupday AS t (area_code, assignee_id, kind, day, followups)
        SELECT area_code, assignee_id, kind, day, n FROM fc ORDER BY 1, 2, 3, 4
        ON CONFLICT (area_code, assignee_id, kind, day)
        DO UPDATE SET followups = t.followups + EXCLUDED.followups
    )
    INSERT INTO cases_followupmonth AS t (area_code, assignee_id, kind, month, followups)
    SELECT area_code, assignee_id, kind, dashboards_month_of(day), sum(n) FROM fc
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (area_code, assignee_id, kind, month)
    DO UPDATE SET followups = t.followups + EXCLUDED.followups;
    RETURN NULL;
END
$$;

-- The four tables from the registry (after a restore, or to verify the triggers).
CREATE OR REPLACE FUNCTION dashboards_casework_rebuild() RETURNS void LANGUAGE plpgsql AS $$
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
    SELECT area_code, method, dashboards_month_of(day), sum(visits) FROM cases_visitday
     GROUP BY 1, 2, 3;
    INSERT INTO cases_followupday (area_code, assignee_id, kind, day, followups)
    SELECT h.area_code, c.assignee_id, c.kind, c.day, count(*)
      FROM cases_followup f
     CROSS JOIN LATERAL dashboards_followup_counted(f, tz, 1) c
      JOIN households_household h ON h.id = c.household_id
     GROUP BY 1, 2, 3, 4;
    INSERT INTO cases_followupmonth (area_code, assignee_id, kind, month, followups)
    SELECT area_code, assignee_id, kind, dashboards_month_of(day), sum(followups)
      FROM cases_followupday GROUP BY 1, 2, 3, 4;
END
$$;

-- The triggers: one per table and operation, once per statement.
CREATE OR REPLACE TRIGGER dashboards_counts_insert AFTER INSERT ON cases_visit
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_visits_on_change();
CREATE OR REPLACE TRIGGER dashboards_counts_update AFTER UPDATE ON cases_visit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_visits_on_change();
CREATE OR REPLACE TRIGGER dashboards_counts_delete AFTER DELETE ON cases_visit
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_visits_on_change();

CREATE OR REPLACE TRIGGER dashboards_counts_insert AFTER INSERT ON cases_followup
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_followups_on_change();
CREATE OR REPLACE TRIGGER dashboards_counts_update AFTER UPDATE ON cases_followup
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_followups_on_change();
CREATE OR REPLACE TRIGGER dashboards_counts_delete AFTER DELETE ON cases_followup
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_followups_on_change();

CREATE OR REPLACE TRIGGER dashboards_counts_update AFTER UPDATE ON households_household
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_counts_on_household_move();
