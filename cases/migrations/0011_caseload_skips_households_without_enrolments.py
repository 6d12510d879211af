"""The household-event trigger: cheap per household written, and no refresh without enrolments.

Households keep their history with row-level triggers, so this statement-level trigger on
their event table fires once per household written. Its look-up of the previous event was
planned as a backward scan of the whole event table (ORDER BY pgh_id DESC LIMIT 1 on the
primary key, filtering by household): ~57 ms per household at 100,000 households, so an
import of 100,000 new households ran for over an hour. Ordering by `pgh_id + 0` makes it
read the household's own events by the pgh_obj_id index (0.1 ms). And a household with no
enrolment counts nowhere, whatever its area; when it gets one, the enrolment trigger
refreshes it with its area history: so it is not refreshed (CASE keeps that check first).
"""

from django.db import migrations

_FUNCTION = """
CREATE OR REPLACE FUNCTION cases_caseload_on_household_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A new event moves the household's area only when it names another area than the
        -- one before it (a tier or address change leaves every day where it was); and only
        -- a household with an enrolment has anything to move.
        PERFORM cases_caseload_refresh(ARRAY(
            SELECT DISTINCT n.pgh_obj_id FROM new_rows n
             WHERE CASE WHEN %(enrolled)s THEN n.area_code IS DISTINCT FROM (
                   SELECT e.area_code FROM households_householdevent e
                    WHERE e.pgh_obj_id = n.pgh_obj_id AND e.pgh_id < n.pgh_id
                    ORDER BY %(order)s DESC LIMIT 1) ELSE false END));
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
    "enrolled": "EXISTS (SELECT 1 FROM households_enrolment en"
    " WHERE en.household_id = n.pgh_obj_id)",
    "order": "e.pgh_id + 0",
}
BACKWARD = _FUNCTION % {"enrolled": "TRUE", "order": "e.pgh_id"}


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_build_visit_and_followup_counts")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
