from django.db import migrations

# Entries written before `area_code` existed get the area the application now writes for
# them (core/models.py, AccessLog). The log is append-only by trigger; the migration (run by
# the table's owner) lifts the trigger for this one statement set, in its transaction, and
# puts it back: nothing else can write between the two.
FORWARD = """
ALTER TABLE core_accesslog DISABLE TRIGGER core_accesslog_no_update_delete;
UPDATE core_accesslog AS l SET area_code = h.area_code
  FROM households_household AS h
 WHERE l.household_id = h.id AND l.area_code = '';
UPDATE core_accesslog AS l SET area_code = a.prefix
  FROM households_user AS u JOIN households_area AS a ON a.id = u.area_id
 WHERE l.household_id IS NULL AND l.area_code = ''
   AND (l.actor_id = u.id OR (l.actor_id IS NULL AND l.username = u.username));
ALTER TABLE core_accesslog ENABLE TRIGGER core_accesslog_no_update_delete;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_access_log_area_and_search_indexes"),
        ("households", "0004_track_registry_history"),
    ]
    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
