"""django-axes with a limit per lockout parameter combination.

Axes counts the failures of each combination in AXES_LOCKOUT_PARAMETERS and locks when the
largest count reaches AXES_FAILURE_LIMIT: one limit for all. We want a user name locked
from one address after AXES_FAILURE_LIMIT failures, and from every address after
AXES_USERNAME_FAILURE_LIMIT failures in all, so that one who changes address to go on
guessing is stopped too, while the user's own address is not locked by a few strays.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


def _limit(parameters: Any) -> int:
    if parameters in ("username", ["username"]):
        return settings.AXES_USERNAME_FAILURE_LIMIT
    return settings.AXES_FAILURE_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        """The failures that count, in the terms axes compares with AXES_FAILURE_LIMIT: at
        least the limit when any combination has reached its own limit, else the most
        failures of a combination."""
        combinations = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)
        counts = [
            (qs.aggregate(n=Sum("failures_since_start"))["n"] or 0, _limit(parameters))
            for parameters, qs in zip(combinations, attempts, strict=True)
        ]
        most = max((count for count, _ in counts), default=0)
        if any(count >= limit for count, limit in counts):
            return max(most, settings.AXES_FAILURE_LIMIT)
        return min(most, settings.AXES_FAILURE_LIMIT - 1)
