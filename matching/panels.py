"""Needs' panels on the pages of the apps below: the household page and file, the worklist.

Registered from `MatchingConfig.ready()` (core/panels.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from access.capabilities import Can, can
from cases.panels import worklist_alerts
from households.panels import household_file_sections, household_sections
from matching import selectors
from matching.models import Referral

if TYPE_CHECKING:
    from households.models import Household, User


def household_panel(*, actor: User, household: Household) -> dict[str, Any]:
    return {"needs": selectors.household_need_panel(actor=actor, household=household)}


def waiting_for_worker(*, actor: User, today: dt.date, limit: int = 5) -> dict[str, Any]:
    """What waits for the worker besides follow-ups: help requests (一键求助) in the
    community inbox, and deliveries to confirm with the household (待回访确认). Each a
    total and the oldest few; nothing for a role that does not work needs.
    """
    if not can(actor, Can.WORK_NEEDS):
        return {"waiting": None}
    requests = selectors.inbox_list(actor=actor)
    deliveries = selectors.referral_list(
        actor=actor, filters={"status": [Referral.Status.DELIVERED]}
    ).order_by("delivered_at", "id")
    return {
        "waiting": {
            "requests": requests.count(),
            "request_rows": list(requests[:limit]),
            "deliveries": deliveries.count(),
            "delivery_rows": list(deliveries[:limit]),
        }
    }


def register() -> None:
    """After case work's panel on the household page and file; first on the worklist."""
    household_sections.register(
        template="matching/household_needs.html", context=household_panel, order=20
    )
    household_file_sections.register(
        template="matching/_household_file.html", context=household_panel, order=20
    )
    worklist_alerts.register(
        template="matching/_worklist_waiting.html", context=waiting_for_worker, order=10
    )
