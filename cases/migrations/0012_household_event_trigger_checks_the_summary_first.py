"""The household-event trigger: nothing at all while no summary is built (or it is paused).

It fires once per household written (households keep their history with row-level
triggers). Its test "has this household an enrolment?" was planned, on tables whose
statistics say they are empty, as a hash of every enrolment built again at each firing: a
100,000-household demo seed, which writes households and enrolments chunk by chunk in one
transaction, spent minutes per chunk there (perf: ExecSubPlan → LookupTupleHashEntry) and
had not finished after 17 minutes. The refresh it feeds returns at once without the
horizon row anyway; so the trigger now looks at the horizon row first, and a bulk load that
pauses the summary (`cases.summary.summary_paused`) pays nothing per household.
"""

from django.db import migrations

_FUNCTION = """
CREATE OR REPLACE FUNCTION cases_caseload_on_household_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    %(first)s
    IF TG_OP = 'INSERT' THEN
        -- A new event moves the household's area only when it names another area than the
        -- one before it (a tier or address change leaves every day where it was); and only
        -- a household with an enrolment has anything to move.
        PERFORM cases_caseload_refresh(ARRAY(
            SELECT DISTINCT n.pgh_obj_id FROM new_rows n
             WHERE CASE WHEN EXISTS (SELECT 1 FROM households_enrolment en
                                      WHERE en.household_id = n.pgh_obj_id)
                   THEN n.area_code IS DISTINCT FROM (
                   SELECT e.area_code FROM households_householdevent e
                    WHERE e.pgh_obj_id = n.pgh_obj_id AND e.pgh_id < n.pgh_id
                    ORDER BY e.pgh_id + 0 DESC LIMIT 1) ELSE false END));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM cases_caseload_refresh(ARRAY(SELECT DISTINCT pgh_obj_id FROM old_rows));
    ELSE
        PERFORM cases_caseload_refresh(ARRAY(
            SELECT pgh_obj_id FROM new_rows UNION SELECT pgh_obj_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;
"""

FORWARD = _FUNCTION % {
    "first": "-- No summary built, or paused for a bulk load: nothing to keep.\n"
    "    IF NOT EXISTS (SELECT 1 FROM cases_caseloadhorizon WHERE id = 1) THEN\n"
    "        RETURN NULL;\n"
    "    END IF;"
}
BACKWARD = _FUNCTION % {"first": ""}


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_caseload_skips_households_without_enrolments")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
