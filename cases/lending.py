"""Which households are lent to a worker: the follow-ups street staff gave them.

Registered with `access.scope` when the app starts (see `CasesConfig.ready`); the scope rule
itself, and why a household is lent, is in `access.scope`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from access.scope import street_of, within

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from households.models import User


def lent_households(actor: User) -> QuerySet:
    """Ids of households outside the worker's own area whose open follow-up is assigned to
    them by a reassignment, in the worker's street."""
    from cases.models import FollowUp

    return FollowUp.objects.filter(
        within("household__area_code", street_of(actor.area.prefix)),
        assignee_id=actor.pk,
        status="open",
        reassigned=True,
    ).values("household_id")
