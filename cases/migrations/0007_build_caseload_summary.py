"""Build the caseload summary from the registry as it stands (100,000 households: ~1 min)."""

import datetime as dt

from django.conf import settings
from django.db import migrations
from django.utils import timezone

HORIZON_MONTHS = 24  # as cases.summary.HORIZON_MONTHS, copied: migrations import no app code


def build(apps, schema_editor):
    today = timezone.localdate()
    horizon = dt.date(today.year + HORIZON_MONTHS // 12, today.month, 1)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SELECT cases_caseload_rebuild(%s, %s)", [settings.TIME_ZONE, horizon])


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_caseload_summary_triggers")]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
