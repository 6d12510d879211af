"""Settings of the Celery workers the fault tests start: the test settings, run for real.

Eager mode is off, so the worker consumes from the broker. The visibility timeout is seconds
instead of base.py's 40 minutes: a message whose worker was killed whole comes back after
it, and a test cannot wait 40 minutes (with prefork, a killed pool child is given back at
once by reject_on_worker_lost; a killed main process only by the visibility timeout).
"""

import os

from config.settings.test import *  # noqa: F403
from config.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": float(os.environ.get("FAULTS_VISIBILITY_TIMEOUT", "2")),
    # Look for such messages every second, not every ~100 s (kombu's default sweep).
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
