"""The summary tables now belong to dashboards (its 0001): forgotten here, kept in the database."""

from django.db import migrations

MOVED = [
    "CaseloadDelta",
    "CaseloadHorizon",
    "CaseloadMonth",
    "CaseloadPart",
    "FollowUpDay",
    "FollowUpMonth",
    "VisitDay",
    "VisitMonth",
]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_visit_conflicts_default_in_the_database"),
        ("dashboards", "0001_summary_tables_from_cases"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
        ),
    ]
