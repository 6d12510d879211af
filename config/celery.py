"""The Celery app. Every periodic schedule lives in CELERY_BEAT_SCHEDULE below, in one place."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab  # noqa: F401  (used by schedules as apps add them)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("zhulian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Exactly one beat runs these (see README, "Deploying"). Due dates themselves live in
# PostgreSQL rows, never as far-ahead tasks in the broker.
app.conf.beat_schedule = {}
