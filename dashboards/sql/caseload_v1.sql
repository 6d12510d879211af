-- The caseload summary's counting rule, version 1: the functions and triggers that keep
-- cases_caseloadpart, cases_caseloaddelta and cases_caseloadmonth equal to the registry.
-- Applied by dashboards/migrations/0002_counting_rules_v1.py. To change the rule, copy this
-- file to caseload_v2.sql, edit the copy and apply it in a new migration (every statement
-- here replaces what it names), so that a fresh database still runs v1, then v2; the file
-- of the highest version is the rule in force.
--
-- What is counted (the category table of the dashboard, see dashboards/panels/__init__.py):
-- for an area and a day, the households (户) and persons (人) with an enrolment active that
-- day. Each household's contribution is a few date intervals, so it is kept as deltas: +1 on
-- the first day a household or person is counted (per category, and "*" for any category),
-- -1 on the day after the last. The count on day D is then the checkpoint of D's month
-- (cases_caseloadmonth, the running sum up to the 1st) plus the deltas from the 2nd to D: a
-- few thousand small rows for a district.
--
-- How it is kept: statement-level AFTER triggers on enrolments, their covered members and
-- the households' history call dashboards_caseload_refresh(household ids): it recomputes
-- those households' parts from the registry (dashboards_caseload_parts), subtracts the old
-- parts and adds the new ones to the deltas and checkpoints, all relative (+=) so concurrent
-- transactions commute. A refresh locks the households' rows (FOR NO KEY UPDATE, in id
-- order), so a second writer of the same household waits and then recomputes from what the
-- first committed (READ COMMITTED: each statement of the function takes a new snapshot), and
-- a move (services lock the household first) is never interleaved. A row lock, not an
-- advisory one: the deferred foreign-key check of a writer takes a key-share lock on the
-- household at commit, so an advisory lock taken earlier would deadlock against a move
-- holding the row and waiting for it. Upserts go in key order. The horizon row
-- (cases_caseloadhorizon) is share-locked by every refresh and locked for update by the
-- nightly extension, so the two never miss each other's rows; without it (no summary built,
-- or paused for a bulk load) every trigger returns at once.

-- Month starts as dates, without time zones (date_trunc on a date would go through timestamptz).
CREATE OR REPLACE FUNCTION dashboards_month_of(d date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT d - (extract(day FROM d)::int - 1) $$;

-- The parts of households `ids`: rows (household, area, category, day, Δhouseholds, Δpersons,
-- new, suspended, ended). Days are local dates in `tz`; 'infinity' is an open end.
CREATE OR REPLACE FUNCTION dashboards_caseload_parts(ids bigint[], tz text)
RETURNS TABLE (household_id bigint, area_code varchar, category varchar, day date,
               households integer, persons integer, new integer, suspended integer,
               ended integer)
LANGUAGE sql STABLE AS $$
WITH hh AS (
    SELECT h.id, h.area_code FROM households_household h WHERE h.id = ANY(ids)
),
evd AS (
    -- The household's area at the end of day D is that of its last history event before
    -- then (by pgh_id, as the direct count reads it), or today's when it has none.
    SELECT e.pgh_obj_id AS hid, (e.pgh_created_at AT TIME ZONE tz)::date AS d,
           max(e.pgh_id) AS mx
      FROM households_householdevent e WHERE e.pgh_obj_id = ANY(ids)
     GROUP BY 1, 2
),
run AS (
    SELECT hid, d, max(mx) OVER (PARTITION BY hid ORDER BY d) AS win FROM evd
),
seg AS (
    SELECT r.hid, r.d AS f,
           coalesce(lead(r.d) OVER (PARTITION BY r.hid ORDER BY r.d) - 1, 'infinity'::date) AS t,
           e.area_code
      FROM run r JOIN households_householdevent e ON e.pgh_id = r.win
    UNION ALL
    SELECT hh.id, '-infinity'::date,
           coalesce((SELECT min(evd.d) FROM evd WHERE evd.hid = hh.id) - 1, 'infinity'::date),
           hh.area_code
      FROM hh
),
enr AS (
    -- Active from start to end; a suspended one up to the day before its suspension.
    SELECT e.id, e.household_id AS hid, e.category_id AS cat, e.start_date AS s,
           CASE WHEN e.status = 'suspended'
                THEN least(coalesce(e.end_date, 'infinity'::date),
                           (e.decided_at AT TIME ZONE tz)::date - 1)
                ELSE coalesce(e.end_date, 'infinity'::date) END AS t
      FROM households_enrolment e
     WHERE e.household_id = ANY(ids)
       AND (e.status IN ('approved', 'ended')
            OR (e.status = 'suspended' AND e.decided_at IS NOT NULL))
),
cov AS (
    SELECT enr.hid, enr.cat, em.member_id AS mid, enr.s, enr.t
      FROM enr JOIN households_enrolment_members em ON em.enrolment_id = enr.id
     WHERE enr.s <= enr.t
),
units AS (
    -- mid 0: the household; "*": any category. Overlaps are merged below, so a person
    -- covered by two enrolments is counted once per category and once in all.
    SELECT hid, cat::varchar AS cat, mid, s, t FROM cov
    UNION ALL SELECT hid, '*', mid, s, t FROM cov
    UNION ALL SELECT hid, cat, 0, s, t FROM cov
    UNION ALL SELECT hid, '*', 0, s, t FROM cov
),
marked AS (
    SELECT u.*,
           CASE WHEN u.s <= max(u.t) OVER w + 1 THEN 0 ELSE 1 END AS starts
      FROM units u
    WINDOW w AS (PARTITION BY u.hid, u.cat, u.mid ORDER BY u.s, u.t
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
grouped AS (
    SELECT m.*, sum(m.starts) OVER (PARTITION BY m.hid, m.cat, m.mid ORDER BY m.s, m.t
                                    ROWS UNBOUNDED PRECEDING) AS grp
      FROM marked m
),
spans AS (
    SELECT hid, cat, mid, min(s) AS s, max(t) AS t FROM grouped GROUP BY hid, cat, mid, grp
),
pieces AS (
    SELECT sp.hid, seg.area_code, sp.cat, (sp.mid = 0)::int AS hh, (sp.mid <> 0)::int AS pp,
           greatest(sp.s, seg.f) AS s, least(sp.t, seg.t) AS t
      FROM spans sp JOIN seg ON seg.hid = sp.hid AND seg.f <= sp.t AND seg.t >= sp.s
),
changes AS (
    -- The month's changes are placed by today's area, as the direct count places them.
    SELECT e.household_id AS hid, hh.area_code, e.category_id::varchar AS cat,
           x.day, x.n, x.su, x.en
      FROM households_enrolment e JOIN hh ON hh.id = e.household_id
     CROSS JOIN LATERAL (VALUES
        (e.start_date, (e.status IN ('approved', 'suspended', 'ended'))::int, 0, 0),
        ((e.decided_at AT TIME ZONE tz)::date, 0, (e.status = 'suspended')::int, 0),
        (e.end_date, 0, 0, (e.status IN ('approved', 'ended'))::int)
     ) AS x (day, n, su, en)
     WHERE x.day IS NOT NULL AND x.n + x.su + x.en > 0
),
rows AS (
    SELECT hid, area_code, cat, s AS day, hh AS h, pp AS p, 0 AS n, 0 AS su, 0 AS en
      FROM pieces
    UNION ALL
    SELECT hid, area_code, cat, t + 1, -hh, -pp, 0, 0, 0 FROM pieces WHERE t < 'infinity'
    UNION ALL
    SELECT hid, area_code, cat, day, 0, 0, n, su, en FROM changes
)
SELECT hid, area_code, cat, day, sum(h)::int, sum(p)::int, sum(n)::int, sum(su)::int,
       sum(en)::int
  FROM rows
 GROUP BY hid, area_code, cat, day
HAVING sum(h) <> 0 OR sum(p) <> 0 OR sum(n) <> 0 OR sum(su) <> 0 OR sum(en) <> 0
$$;

CREATE OR REPLACE FUNCTION dashboards_caseload_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    cfg record;
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    SELECT h.month, h.time_zone INTO cfg FROM cases_caseloadhorizon h WHERE h.id = 1 FOR SHARE;
    IF NOT FOUND THEN
        RETURN;  -- no summary built, or paused for a bulk load: nothing to keep
    END IF;
    -- One refresh of a household at a time, and none while it moves (see the head of this file).
    PERFORM 1 FROM households_household h WHERE h.id = ANY(ids) ORDER BY h.id
        FOR NO KEY UPDATE;
    WITH fresh AS MATERIALIZED (
        SELECT * FROM dashboards_caseload_parts(ids, cfg.time_zone)
    ),
    stale AS (
        DELETE FROM cases_caseloadpart p WHERE p.household_id = ANY(ids)
        RETURNING p.area_code, p.category, p.day, p.households, p.persons, p.new,
                  p.suspended, p.ended
    ),
    kept AS (
        INSERT INTO cases_caseloadpart (household_id, area_code, category, day, households,
                                        persons, new, suspended, ended)
        SELECT * FROM fresh
    ),
    diff AS MATERIALIZED (
        SELECT x.area_code, x.category, x.day, sum(x.h)::int AS h, sum(x.p)::int AS p,
               sum(x.n)::int AS n, sum(x.su)::int AS su, sum(x.en)::int AS en
          FROM (SELECT f.area_code, f.category, f.day, f.households AS h, f.persons AS p,
                       f.new AS n, f.suspended AS su, f.ended AS en FROM fresh f
                UNION ALL
                SELECT s.area_code, s.category, s.day, -s.households, -s.persons, -s.new,
                       -s.suspended, -s.ended FROM stale s) x
         GROUP BY 1, 2, 3
        HAVING sum(x.h) <> 0 OR sum(x.p) <> 0 OR sum(x.n) <> 0 OR sum(x.su) <> 0
            OR sum(x.en) <> 0
    ),
    deltas AS (
        INSERT INTO cases_caseloaddelta AS t (area_code, category, day, households, persons,
                                              new, suspended, ended)
        SELECT area_code, category, day, h, p, n, su, en FROM diff ORDER BY 1, 2, 3
        ON CONFLICT (area_code, category, day) DO UPDATE SET
            households = t.households + EXCLUDED.households,
            persons = t.persons + EXCLUDED.persons,
            new = t.new + EXCLUDED.new,
            suspended = t.suspended + EXCLUDED.suspended,
            ended = t.ended + EXCLUDED.ended
    ),
    pairs AS (
        SELECT area_code, category, min(day) AS first FROM diff
         WHERE h <> 0 OR p <> 0 GROUP BY 1, 2
    ),
    grid AS (
        SELECT pr.area_code, pr.category, g::date AS month
          FROM pairs pr,
               generate_series(dashboards_month_of(pr.first)::timestamp, cfg.month::timestamp,
                               interval '1 month') g
    ),
    mvals AS (
        SELECT g.area_code, g.category, g.month,
               coalesce(sum(d.h), 0)::int AS h, coalesce(sum(d.p), 0)::int AS p
          FROM grid g LEFT JOIN diff d
            ON d.area_code = g.area_code AND d.category = g.category AND d.day <= g.month
         GROUP BY 1, 2, 3
    )
    -- Checkpoints run from an area's first delta to the horizon: missing ones (before the
    -- first, or of a new area) start at 0 and take the change; the rest take it relatively.
    INSERT INTO cases_caseloadmonth AS t (area_code, category, month, households, persons)
    SELECT area_code, category, month, h, p FROM mvals ORDER BY 1, 2, 3
    ON CONFLICT (area_code, category, month) DO UPDATE SET
        households = t.households + EXCLUDED.households,
        persons = t.persons + EXCLUDED.persons
    WHERE EXCLUDED.households <> 0 OR EXCLUDED.persons <> 0;
END
$$;

-- Trigger functions: collect the households a statement touched, refresh them once.
CREATE OR REPLACE FUNCTION dashboards_caseload_on_enrolment() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM dashboards_caseload_refresh(ARRAY(SELECT DISTINCT household_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM dashboards_caseload_refresh(ARRAY(SELECT DISTINCT household_id FROM old_rows));
    ELSE
        -- Only what the counts read: an amount or a review date changes nothing here.
        PERFORM dashboards_caseload_refresh(ARRAY(
            SELECT n.household_id FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.household_id, n.category_id, n.status, n.start_date, n.end_date,
                    n.decided_at)
                   IS DISTINCT FROM
                   (o.household_id, o.category_id, o.status, o.start_date, o.end_date,
                    o.decided_at)
            UNION
            SELECT o.household_id FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE n.household_id <> o.household_id));
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION dashboards_caseload_on_coverage() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM dashboards_caseload_refresh(ARRAY(
            SELECT DISTINCT e.household_id FROM new_rows r
              JOIN households_enrolment e ON e.id = r.enrolment_id));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM dashboards_caseload_refresh(ARRAY(
            SELECT DISTINCT e.household_id FROM old_rows r
              JOIN households_enrolment e ON e.id = r.enrolment_id));
    ELSE
        PERFORM dashboards_caseload_refresh(ARRAY(
            SELECT e.household_id FROM new_rows r
              JOIN households_enrolment e ON e.id = r.enrolment_id
            UNION
            SELECT e.household_id FROM old_rows r
              JOIN households_enrolment e ON e.id = r.enrolment_id));
    END IF;
    RETURN NULL;
END
$$;

-- It fires once per household written (households keep their history with row-level
-- triggers), so it is cheap per household: it looks at the horizon row first; a household
-- without an enrolment counts nowhere, whatever its area (when it gets one, the enrolment
-- trigger refreshes it with its area history); and the previous event is read through the
-- pgh_obj_id index (`pgh_id + 0`: ordered by the primary key, it was a backward scan of the
-- whole event table).
CREATE OR REPLACE FUNCTION dashboards_caseload_on_household_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- No summary built, or paused for a bulk load: nothing to keep.
    IF NOT EXISTS (SELECT 1 FROM cases_caseloadhorizon WHERE id = 1) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- A new event moves the household's area only when it names another area than the
        -- one before it (a tier or address change leaves every day where it was); and only
        -- a household with an enrolment has anything to move.
        PERFORM dashboards_caseload_refresh(ARRAY(
            SELECT DISTINCT n.pgh_obj_id FROM new_rows n
             WHERE CASE WHEN EXISTS (SELECT 1 FROM households_enrolment en
                                      WHERE en.household_id = n.pgh_obj_id)
                   THEN n.area_code IS DISTINCT FROM (
                   SELECT e.area_code FROM households_householdevent e
                    WHERE e.pgh_obj_id = n.pgh_obj_id AND e.pgh_id < n.pgh_id
                    ORDER BY e.pgh_id + 0 DESC LIMIT 1) ELSE false END));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM dashboards_caseload_refresh(ARRAY(SELECT DISTINCT pgh_obj_id FROM old_rows));
    ELSE
        PERFORM dashboards_caseload_refresh(ARRAY(
            SELECT pgh_obj_id FROM new_rows UNION SELECT pgh_obj_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;

-- The whole summary from the registry, in chunks of households; then the checkpoints.
CREATE OR REPLACE FUNCTION dashboards_caseload_rebuild(tz text, horizon date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    lo bigint := 0;
    hi bigint;
BEGIN
    -- Writers of the registry wait (their triggers read the horizon row) until this commits.
    DELETE FROM cases_caseloadhorizon;
    INSERT INTO cases_caseloadhorizon (id, month, time_zone)
    VALUES (1, dashboards_month_of(horizon), tz);
    PERFORM 1 FROM cases_caseloadhorizon WHERE id = 1 FOR UPDATE;
    TRUNCATE cases_caseloadpart, cases_caseloaddelta, cases_caseloadmonth;
    LOOP
        SELECT max(id) INTO hi FROM (
            SELECT id FROM households_household WHERE id > lo ORDER BY id LIMIT 5000) c;
        EXIT WHEN hi IS NULL;
        INSERT INTO cases_caseloadpart (household_id, area_code, category, day, households,
                                        persons, new, suspended, ended)
        SELECT * FROM dashboards_caseload_parts(
            ARRAY(SELECT id FROM households_household WHERE id > lo AND id <= hi), tz);
        lo := hi;
    END LOOP;
    INSERT INTO cases_caseloaddelta (area_code, category, day, households, persons, new,
                                     suspended, ended)
    SELECT area_code, category, day, sum(households), sum(persons), sum(new), sum(suspended),
           sum(ended)
      FROM cases_caseloadpart GROUP BY 1, 2, 3;
    INSERT INTO cases_caseloadmonth (area_code, category, month, households, persons)
    WITH pairs AS (
        SELECT area_code, category, min(day) AS first FROM cases_caseloaddelta
         WHERE households <> 0 OR persons <> 0 GROUP BY 1, 2
    ),
    grid AS (
        SELECT p.area_code, p.category, g::date AS month
          FROM pairs p,
               generate_series(dashboards_month_of(p.first)::timestamp,
                               dashboards_month_of(horizon)::timestamp, interval '1 month') g
    ),
    -- A delta counts from the first checkpoint on or after its day.
    buckets AS (
        SELECT area_code, category,
               CASE WHEN day = dashboards_month_of(day) THEN day
                    ELSE (dashboards_month_of(day) + interval '1 month')::date END AS month,
               sum(households) AS h, sum(persons) AS p
          FROM cases_caseloaddelta GROUP BY 1, 2, 3
    )
    SELECT g.area_code, g.category, g.month,
           sum(coalesce(b.h, 0)) OVER w, sum(coalesce(b.p, 0)) OVER w
      FROM grid g LEFT JOIN buckets b
        ON b.area_code = g.area_code AND b.category = g.category AND b.month = g.month
    WINDOW w AS (PARTITION BY g.area_code, g.category ORDER BY g.month);
END
$$;

-- The nightly job: checkpoints up to the new horizon; deltas that sum to nothing go.
CREATE OR REPLACE FUNCTION dashboards_caseload_extend(horizon date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    cur date;
    added integer := 0;
BEGIN
    SELECT month INTO cur FROM cases_caseloadhorizon WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    WHILE cur < dashboards_month_of(horizon) LOOP
        INSERT INTO cases_caseloadmonth (area_code, category, month, households, persons)
        SELECT x.area_code, x.category, (cur + interval '1 month')::date, sum(x.h), sum(x.p)
          FROM (SELECT area_code, category, households AS h, persons AS p
                  FROM cases_caseloadmonth WHERE month = cur
                UNION ALL
                SELECT area_code, category, households, persons FROM cases_caseloaddelta
                 WHERE day > cur AND day <= (cur + interval '1 month')::date
                   AND (households <> 0 OR persons <> 0)) x
         GROUP BY 1, 2;
        cur := (cur + interval '1 month')::date;
        added := added + 1;
    END LOOP;
    UPDATE cases_caseloadhorizon SET month = cur WHERE id = 1 AND month <> cur;
    DELETE FROM cases_caseloaddelta
     WHERE households = 0 AND persons = 0 AND new = 0 AND suspended = 0 AND ended = 0;
    RETURN added;
END
$$;

-- The triggers: one per table and operation, once per statement.
CREATE OR REPLACE TRIGGER dashboards_caseload_insert AFTER INSERT ON households_enrolment
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_caseload_on_enrolment();
CREATE OR REPLACE TRIGGER dashboards_caseload_update AFTER UPDATE ON households_enrolment
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_caseload_on_enrolment();
CREATE OR REPLACE TRIGGER dashboards_caseload_delete AFTER DELETE ON households_enrolment
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_caseload_on_enrolment();

CREATE OR REPLACE TRIGGER dashboards_caseload_insert AFTER INSERT ON households_enrolment_members
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_caseload_on_coverage();
CREATE OR REPLACE TRIGGER dashboards_caseload_update AFTER UPDATE ON households_enrolment_members
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_caseload_on_coverage();
CREATE OR REPLACE TRIGGER dashboards_caseload_delete AFTER DELETE ON households_enrolment_members
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_caseload_on_coverage();

CREATE OR REPLACE TRIGGER dashboards_caseload_insert AFTER INSERT ON households_householdevent
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_caseload_on_household_event();
CREATE OR REPLACE TRIGGER dashboards_caseload_update AFTER UPDATE ON households_householdevent
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_caseload_on_household_event();
CREATE OR REPLACE TRIGGER dashboards_caseload_delete AFTER DELETE ON households_householdevent
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_caseload_on_household_event();
