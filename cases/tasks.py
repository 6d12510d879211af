"""Celery tasks of case work. Each calls one service; the schedule lives in config/celery.py."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

SKIPPED_RETRY_SECONDS = 30


# A database restart or failover mid-run fails the run; retried, it converges (below).
@shared_task(
    bind=True,
    name="cases.followups_schedule",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def followups_schedule_task(self: Task) -> dict[str, Any]:
    """The nightly job: recompute tiers and keep one open follow-up per household.

    Idempotent by construction (see cases.services.followups_schedule), so a retry, a second
    delivery after a lost worker (acks_late) or an overlapping run changes nothing twice.
    A run that finds another holding the run lock tries again later instead of ending: the
    other may be a killed run whose database session PostgreSQL has not ended yet (a killed
    pool child is redelivered at once), or a run that read the tier rules before a change.
    """
    from cases.nightly import nightly_steps_run
    from cases.services import followups_schedule

    result = followups_schedule()
    if result.skipped:
        raise self.retry(countdown=SKIPPED_RETRY_SECONDS)
    # The other apps' steps: the dashboard's monthly checkpoints move on with the calendar,
    # reviews keep every approved enrolment's review due date (each idempotent).
    return {
        "households": result.households,
        "chunks": result.chunks,
        "rows_changed": result.rows_changed,
        "skipped": result.skipped,
        **nightly_steps_run(),
    }
