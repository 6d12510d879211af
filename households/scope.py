"""The scope rule, kept in one place.

A user bound to an Area sees the objects whose area code starts with that area's prefix.
A user with no area, an inactive user, or a role that reads no registry rows sees nothing.
Every selector, page, endpoint, export, dashboard and job on a user's behalf goes through
`scope_prefix()`; out of scope reads as not found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from households.models import User


def scope_prefix(actor: User | AnonymousUser | None) -> str | None:
    """The area prefix the actor may read under, or None for nothing at all."""
    if actor is None:
        return None
    if not actor.is_authenticated:
        return None
    if not actor.is_active:
        return None
    if actor.area_id is None:
        return None
    return actor.area.prefix


def scoped(qs: QuerySet, *, actor: User | AnonymousUser | None, field: str) -> QuerySet:
    """Filter `qs` to rows whose `field` (an area code) starts with the actor's prefix."""
    prefix = scope_prefix(actor)
    if prefix is None:
        return qs.none()
    return qs.filter(Q(**{f"{field}__startswith": prefix}))
