"""The Celery app. Every periodic schedule lives in `app.conf.beat_schedule` below, in one place."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("zhulian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The ledger machinery is a package inside core (core/ledgers/tasks.py), not an app of its own.
app.autodiscover_tasks(["core.ledgers"])

# Exactly one beat runs these (see README, "Deploying"). Due dates themselves live in
# PostgreSQL rows, never as far-ahead tasks in the broker.
app.conf.beat_schedule = {
    # Nightly at 02:30 (CELERY_TIMEZONE, Asia/Shanghai), when nobody logs visits: recompute
    # risk tiers, create and update follow-ups, mark the overdue ones. Idempotent and chunked,
    # so a retry or a rerun after a crash converges (cases.services.followups_schedule).
    "cases-followups-schedule": {
        "task": "cases.followups_schedule",
        "schedule": crontab(hour=2, minute=30),
    },
    # Every hour at :17: delete the files of ledger exports past their expiry (and abandoned
    # partial files), so a download never outlives its expiry by more than an hour.
    "ledger-export-expiry": {
        "task": "core.ledgers.tasks.ledger_export_expire_task",
        "schedule": crontab(minute=17),
    },
}
