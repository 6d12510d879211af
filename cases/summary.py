"""The caseload summary behind the dashboard's category table: building and extending it.

The tables (CaseloadPart, CaseloadDelta, CaseloadMonth, CaseloadHorizon in cases/models.py)
are kept up to date by database triggers in the transactions that change enrolments, their
covered members or a household's area (cases/migrations/0006_caseload_summary_triggers.py
explains how); so are visits and follow-ups counted per area and day (VisitDay/Month,
FollowUpDay/Month, migration 0009). Python only builds them from scratch and moves the
checkpoints' horizon on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

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


@contextlib.contextmanager
def summary_paused(*, today: dt.date | None = None) -> Iterator[None]:
    """Keep the summary out of a bulk load, then rebuild it once: for one big transaction.

    Each statement that adds households, enrolments or covered members refreshes their part
    of the summary, and the summary rows every household touches (an area's day, its months)
    are updated again and again inside one transaction, whose old row versions nobody can
    prune until it commits: a 100,000-household demo seed slowed to a crawl (over 17 min
    unfinished, most of it in the refresh's index inserts), where the load alone takes about
    a minute. So, inside the caller's transaction: the horizon row goes (every summary
    trigger then returns at once, as before a summary is built), and the summary is rebuilt
    from the registry at the end. Without a built summary nothing is built.

    For loads that lock the registry tables meanwhile (`demo.load`): a visit or
    follow-up written by someone else during the load is not counted until the next rebuild.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("summary_paused() belongs inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_caseloadhorizon WHERE id = 1 RETURNING id")
        built = cursor.fetchone() is not None
    yield
    if built:
        caseload_summary_rebuild(today=today)
