"""Trigger-based history (django-pghistory) for domain models, configured once.

Every insert, update and delete is kept by database triggers, so bulk updates and jobs are
recorded too; a request's user and URL come from pghistory's middleware, and writes outside
a request attach to the "system" context (config/services.py).
"""

from __future__ import annotations

from typing import Any

import pghistory


def tracked(**kwargs: Any) -> Any:
    """Class decorator: keep the model's full history (insert, update, delete snapshots)."""
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs
    )
