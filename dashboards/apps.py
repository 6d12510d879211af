from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self) -> None:
        """Build a missing summary after migrate, and move its monthly checkpoints on with
        the calendar in the nightly job (cases/ runs the step without importing us)."""
        from django.db.models.signals import post_migrate

        from cases.nightly import NightlyStep, nightly_step_register
        from dashboards.summary import caseload_summary_extend

        post_migrate.connect(
            summary_built_after_migrate, sender=self, dispatch_uid="dashboard_summary_built"
        )
        nightly_step_register(
            NightlyStep(
                key="summary_months_added",
                run=caseload_summary_extend,
                line="看板月度检查点新增 {n} 个。",
            )
        )


# The summary's table and its rebuild function, or NULL before the migrations made them.
_READY = (
    "SELECT to_regclass('cases_caseloadhorizon') IS NOT NULL"
    " AND to_regprocedure('dashboards_caseload_rebuild(text, date)') IS NOT NULL"
)


def summary_built_after_migrate(*, using: str, **kwargs: Any) -> None:
    """Build the summary when there is none, as the panels read nothing else.

    The migrations build it once; a flush (the tests' transactional cases) empties it with
    every table and sends post_migrate, as does every later migrate. Nothing happens before
    the migrations have made the table and the rules.
    """
    from django.db import DEFAULT_DB_ALIAS, connection

    from dashboards.summary import caseload_summary_rebuild

    if using != DEFAULT_DB_ALIAS:
        return
    with connection.cursor() as cursor:
        cursor.execute(_READY)
        if not cursor.fetchone()[0]:
            return
        cursor.execute("SELECT 1 FROM cases_caseloadhorizon WHERE id = 1")
        if cursor.fetchone() is None:
            caseload_summary_rebuild()
