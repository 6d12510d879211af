"""Enqueueing Celery tasks after the commit, so that a broker outage never fails a request.

When Redis is down a publish gives up after kombu's retries (about a second) and raises.
By then the change is committed: an error page would tell the user it failed when it did
not. So the failure is logged and the request goes on, and the work waits in PostgreSQL,
not in the broker: each task enqueued here is for something a beat-driven job picks up
again once Redis is back (an export job still queued: `ledger_export_requeue_task`; the
recompute after a tier-rule change: the nightly `followups_schedule`, which beat sends as
soon as Redis answers, see config/celery.py).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Any, *args: int) -> None:
    """Publish `task(*args)` once the current transaction commits.

    Ids only: the task reads the rows as they are when it runs.
    """
    transaction.on_commit(lambda: _publish(task, args))


# One retry, soon: a refused connection gives up in a fraction of a second, a hung Redis
# after two socket timeouts (CELERY_BROKER_TRANSPORT_OPTIONS), not four.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2}


def _publish(task: Any, args: tuple[int, ...]) -> None:
    try:
        task.apply_async(args, retry_policy=RETRY_POLICY)
    except BrokerUnavailable as error:
        logger.warning("broker unavailable, %s%r left for its sweep: %s", task.name, args, error)
