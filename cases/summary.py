"""The caseload summary behind the dashboard's category table: building and extending it.

The tables (CaseloadPart, CaseloadDelta, CaseloadMonth, CaseloadHorizon in cases/models.py)
are kept up to date by database triggers in the transactions that change enrolments, their
covered members or a household's area (cases/migrations/0006_caseload_summary_triggers.py
explains how); so are visits and follow-ups counted per area and day (VisitDay/Month,
FollowUpDay/Month, migration 0009). Python only builds them from scratch and moves the
checkpoints' horizon on.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

# Monthly checkpoints run this far ahead of today; a later day reads the last one plus deltas.
HORIZON_MONTHS = 24


def _horizon(today: dt.date) -> dt.date:
    month = today.month - 1 + HORIZON_MONTHS
    return dt.date(today.year + month // 12, month % 12 + 1, 1)


@transaction.atomic
def caseload_summary_rebuild(*, today: dt.date | None = None) -> None:
    """Recompute the whole summary from the registry (after a restore, or to verify).

    Registry writers wait for it: their triggers share-lock the horizon row it holds.
    """
    horizon = _horizon(today or timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SELECT cases_caseload_rebuild(%s, %s)", [settings.TIME_ZONE, horizon])
        cursor.execute("SELECT cases_panels_rebuild()")


@transaction.atomic
def caseload_summary_extend(*, today: dt.date | None = None) -> int:
    """Move the checkpoints' horizon to HORIZON_MONTHS ahead (nightly); months added.

    Idempotent: a second run the same day adds nothing. Without a built summary it does
    nothing (the dashboard then counts directly).
    """
    horizon = _horizon(today or timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute("SELECT cases_caseload_extend(%s)", [horizon])
        return int(cursor.fetchone()[0])
