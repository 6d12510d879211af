"""Celery tasks of case work. Each calls one service; the schedule lives in config/celery.py."""

from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(name="cases.followups_schedule")
def followups_schedule_task() -> dict[str, Any]:
    """The nightly job: recompute tiers and keep one open follow-up per household.

    Idempotent by construction (see cases.services.followups_schedule), so a retry, a second
    delivery after a lost worker (acks_late) or an overlapping run changes nothing twice.
    """
    from cases.services import followups_schedule

    result = followups_schedule()
    return {
        "households": result.households,
        "chunks": result.chunks,
        "rows_changed": result.rows_changed,
        "skipped": result.skipped,
    }
