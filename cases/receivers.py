"""What case work does when the registry tells it something (households.signals)."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def schedule_registered_households(
    sender: Any, *, household_ids: list[int], actor: Any = None, **kwargs: Any
) -> None:
    """New households get their tier and first follow-up now, not at the next nightly run.

    Runs after the registration committed: a failure here must not turn a saved household
    into an error page, and the nightly run schedules whatever is missed.
    """
    from cases.services import followups_schedule_households

    try:
        followups_schedule_households(actor=actor, household_ids=household_ids)
    except Exception:
        logger.exception("scheduling %d new households failed", len(household_ids))
