"""The Celery app. Every periodic schedule lives in `app.conf.beat_schedule` below, in one place."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("zhulian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# kombu's retry policy for a publish that must not give up: no limit, at most 30 s apart.
UNTIL_REDIS_ANSWERS = {
    "max_retries": None,
    "interval_start": 0,
    "interval_step": 1,
    "interval_max": 30,
}

# Exactly one beat runs these (see README, "Deploying"). Due dates themselves live in
# PostgreSQL rows, never as far-ahead tasks in the broker.
app.conf.beat_schedule = {
    # Nightly at 02:30 (CELERY_TIMEZONE, Asia/Shanghai), when nobody logs visits: recompute
    # risk tiers, create and update follow-ups, mark the overdue ones. Idempotent and chunked,
    # so a retry or a rerun after a crash converges (cases.services.followups_schedule).
    # Beat marks a run done before it sends it: with Redis down at 02:30 a send that gives up
    # loses the night, so this one keeps trying until Redis answers (the run is idempotent).
    "cases-followups-schedule": {
        "task": "cases.followups_schedule",
        "schedule": crontab(hour=2, minute=30),
        "options": {"retry_policy": UNTIL_REDIS_ANSWERS},
    },
    # Nightly at 03:10, after the follow-up job: find policy leads (政策找人) and 应退尽退
    # flags. One transaction, idempotent (outreach.services.outreach_screen).
    "outreach-screen": {
        "task": "outreach.screen",
        "schedule": crontab(hour=3, minute=10),
        "options": {"retry_policy": UNTIL_REDIS_ANSWERS},
    },
    # Every hour at :17: delete the files of ledger exports past their expiry (and abandoned
    # partial files), so a download never outlives its expiry by more than an hour.
    "ledger-export-expiry": {
        "task": "core.ledgers.tasks.ledger_export_expire_task",
        "schedule": crontab(minute=17),
    },
    # Every minute: publish again the export jobs still queued 5 minutes after their last
    # publish, i.e. those started while Redis was down (core/enqueue.py); a cheap indexed read.
    "ledger-export-requeue": {
        "task": "core.ledgers.tasks.ledger_export_requeue_task",
        "schedule": crontab(),
    },
}
