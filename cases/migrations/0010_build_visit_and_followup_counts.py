"""Count the existing visits and follow-ups (2,000,000 visits: a few seconds)."""

from django.db import migrations


def build(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SELECT cases_panels_rebuild()")


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_visit_and_followup_count_triggers")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
