"""The summary's counting rules, from dashboards/sql/caseload_v1.sql and casework_v1.sql.

Until now cases migrations 0006, 0009, 0011 and 0012 held them, each redefining part of the
last; the rules in force are now read in those two files, under dashboards_* names, and the
old functions and triggers go (same behaviour: the summary's rows are kept as they are).
Going back puts the old ones back exactly as those migrations left them.
"""

import importlib
from pathlib import Path

from django.db import migrations

SQL = Path(__file__).resolve().parent.parent / "sql"
OPS = ("insert", "update", "delete")


def _sql(name):
    return (SQL / name).read_text(encoding="utf-8")


def _drop_triggers(name, tables):
    return "\n".join(
        f"DROP TRIGGER IF EXISTS {name}_{op} ON {table};" for table in tables for op in OPS
    )


CASELOAD_TABLES = ["households_enrolment", "households_enrolment_members", "households_householdevent"]
COUNTED_TABLES = ["cases_visit", "cases_followup"]

DROP_OLD = "\n".join(
    [
        _drop_triggers("cases_caseload", CASELOAD_TABLES),
        _drop_triggers("cases_counts", COUNTED_TABLES),
        "DROP TRIGGER IF EXISTS cases_counts_update ON households_household;",
        "DROP FUNCTION cases_caseload_on_enrolment();",
        "DROP FUNCTION cases_caseload_on_coverage();",
        "DROP FUNCTION cases_caseload_on_household_event();",
        "DROP FUNCTION cases_caseload_extend(date);",
        "DROP FUNCTION cases_caseload_rebuild(text, date);",
        "DROP FUNCTION cases_caseload_refresh(bigint[]);",
        "DROP FUNCTION cases_caseload_parts(bigint[], text);",
        "DROP FUNCTION cases_visits_on_change();",
        "DROP FUNCTION cases_followups_on_change();",
        "DROP FUNCTION cases_counts_on_household_move();",
        "DROP FUNCTION cases_panels_rebuild();",
        "DROP FUNCTION cases_month_of(date);",
    ]
)

DROP_NEW = "\n".join(
    [
        _drop_triggers("dashboards_caseload", CASELOAD_TABLES),
        _drop_triggers("dashboards_counts", COUNTED_TABLES),
        "DROP TRIGGER IF EXISTS dashboards_counts_update ON households_household;",
        "DROP FUNCTION dashboards_caseload_on_enrolment();",
        "DROP FUNCTION dashboards_caseload_on_coverage();",
        "DROP FUNCTION dashboards_caseload_on_household_event();",
        "DROP FUNCTION dashboards_caseload_extend(date);",
        "DROP FUNCTION dashboards_caseload_rebuild(text, date);",
        "DROP FUNCTION dashboards_caseload_refresh(bigint[]);",
        "DROP FUNCTION dashboards_caseload_parts(bigint[], text);",
        "DROP FUNCTION dashboards_visits_on_change();",
        "DROP FUNCTION dashboards_followups_on_change();",
        "DROP FUNCTION dashboards_counts_on_household_move();",
        "DROP FUNCTION dashboards_casework_rebuild();",
        "DROP FUNCTION dashboards_visits_apply(dashboards_visit_change[]);",
        "DROP FUNCTION dashboards_followups_apply(dashboards_followup_change[]);",
        "DROP FUNCTION dashboards_followup_counted(cases_followup, text, integer);",
        "DROP TYPE dashboards_visit_change;",
        "DROP TYPE dashboards_followup_change;",
        "DROP FUNCTION dashboards_month_of(date);",
    ]
)


def _old_rules():
    """What cases 0006, 0009, 0011 and 0012 created, replayed in their order."""
    return "\n".join(
        importlib.import_module(f"cases.migrations.{name}").FORWARD
        for name in (
            "0006_caseload_summary_triggers",
            "0009_visit_and_followup_count_triggers",
            "0011_caseload_skips_households_without_enrolments",
            "0012_household_event_trigger_checks_the_summary_first",
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_summary_tables_from_cases"),
        ("cases", "0016_summary_tables_move_to_dashboards"),
    ]

    operations = [
        migrations.RunSQL(
            "\n".join([DROP_OLD, _sql("caseload_v1.sql"), _sql("casework_v1.sql")]),
            "\n".join([DROP_NEW, _old_rules()]),
        )
    ]
