"""Celery tasks of 政策找人. Each calls one service; the schedule lives in config/celery.py."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

SKIPPED_RETRY_SECONDS = 60


@shared_task(
    bind=True,
    name="outreach.screen",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def outreach_screen_task(self: Task) -> dict[str, Any]:
    """The nightly screening: leads (政策找人) and 应退尽退 flags.

    One transaction and idempotent (outreach.services.outreach_screen), so a retry or a
    second delivery changes nothing twice; a run that finds another going tries again later.
    """
    from outreach.services import outreach_screen

    result = outreach_screen()
    if result.skipped:
        raise self.retry(countdown=SKIPPED_RETRY_SECONDS)
    return result.as_dict()
