"""What each role may do with needs and referrals. Which rows is decided by the selectors."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from households.models import User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

Role = User.Role


class Can(Enum):
    VIEW_NEEDS = "view_needs"
    WORK_NEEDS = "work_needs"


_GRANTS: dict[Can, frozenset[str]] = {
    Can.VIEW_NEEDS: frozenset(
        {Role.SOCIAL_WORKER, Role.STREET_STAFF, Role.DISTRICT_ADMIN, Role.AUDITOR}
    ),
    # Record needs, verify requests, run matching, propose and confirm referrals.
    Can.WORK_NEEDS: frozenset({Role.SOCIAL_WORKER, Role.STREET_STAFF, Role.DISTRICT_ADMIN}),
}


def can(actor: User | AnonymousUser | None, capability: Can) -> bool:
    """Whether the actor's role grants the capability. Says nothing about which objects."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return actor.role in _GRANTS[capability]
