"""What each role may do with the resource pool. Which rows is decided by the selectors."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from households.models import User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

Role = User.Role


class Can(Enum):
    VIEW_POOL = "view_pool"
    KEEP_POOL = "keep_pool"


_GRANTS: dict[Can, frozenset[str]] = {
    Can.VIEW_POOL: frozenset(
        {Role.SOCIAL_WORKER, Role.STREET_STAFF, Role.DISTRICT_ADMIN, Role.AUDITOR}
    ),
    # The district keeps the pool; a street office keeps the part of it inside its street.
    Can.KEEP_POOL: frozenset({Role.STREET_STAFF, Role.DISTRICT_ADMIN}),
}


def can(actor: User | AnonymousUser | None, capability: Can) -> bool:
    """Whether the actor's role grants the capability. Says nothing about which objects."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return actor.role in _GRANTS[capability]


def is_provider(actor: User | AnonymousUser | None) -> bool:
    return (
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.role == Role.PROVIDER
    )
