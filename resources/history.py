"""History for tables that bulk jobs write by the tens of thousands (batch matching, campaigns).

The same who/when/what as `core.history.tracked` (the same events and context), but kept by
statement-level triggers: one INSERT … SELECT from the statement's transition table copies
all the rows a statement touched, where a row-level trigger runs once per row. And the event
table indexes only what history is read by (the tracked row, the request or job context):
pghistory would otherwise index every foreign key it copies, and a batch run's 46,000
referral events paid for fifteen indexes each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pghistory
import pgtrigger
from django.db import models

M = TypeVar("M", bound=type[models.Model])


def _unindexed(field: models.ForeignKey) -> models.ForeignKey:
    """The event table's copy of a foreign key: no constraint, no index, no reverse name."""
    return models.ForeignKey(
        field.remote_field.model,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        related_query_name="+",
        null=field.null,
        blank=field.blank,
        verbose_name=field.verbose_name,
    )


def tracked_in_bulk() -> Callable[[M], M]:
    """Class decorator: full history (insert, update, delete) at statement level."""

    def decorate(model: M) -> M:
        keys = {
            field.name: _unindexed(field)
            for field in model._meta.local_concrete_fields
            if isinstance(field, models.ForeignKey)
        }
        return pghistory.track(
            pghistory.InsertEvent(),
            # Every update our services and jobs make moves `version` or `updated_at`, so the
            # "anything changed?" condition (a join of the old and new rows) only costs time.
            pghistory.UpdateEvent(condition=None),
            pghistory.DeleteEvent(),
            level=pgtrigger.Statement,
            attrs=keys,
        )(model)

    return decorate
