"""Celery tasks of the ledger machinery.

They take ids and call services, so a retried task reads the row as it is now. Their names keep
the module they were first written in (core.ledgers.tasks): messages already queued and the beat
schedule carry those names, and a rename would leave them without a task.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    name="core.ledgers.tasks.ledger_export_task",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
    acks_late=True,
)
def ledger_export_task(job_id: int) -> None:
    """Write one export's file (idempotent: a retry or a second delivery finishes it once)."""
    from ledgers.exports import export_job_run

    export_job_run(job_id=job_id)


@shared_task(name="core.ledgers.tasks.ledger_export_expire_task")
def ledger_export_expire_task() -> int:
    """Delete the files of exports past their expiry; scheduled in config/celery.py."""
    from ledgers.exports import export_jobs_expire

    return export_jobs_expire()


@shared_task(name="core.ledgers.tasks.ledger_export_requeue_task")
def ledger_export_requeue_task() -> int:
    """Publish again the export jobs whose message never reached Redis; config/celery.py."""
    from ledgers.exports import export_jobs_requeue

    return export_jobs_requeue()
