"""The scope rule, kept in one place.

A user bound to an Area sees the objects whose area code starts with that area's prefix.
A user with no area, an inactive user, or a role that reads no registry rows sees nothing.
Every selector, page, endpoint, export, dashboard and job on a user's behalf goes through
`scope_prefix()`; out of scope reads as not found.

One widening, kept here too: street staff may give a follow-up to a social worker of another
community of the same street (a colleague covering). While that follow-up is open and theirs,
the worker reads and works on that household (its page, visits, follow-up, alerts: the
selectors that pass `lent=`); their area, and so the rest of their scope, is unchanged.
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


def scoped(
    qs: QuerySet, *, actor: User | AnonymousUser | None, field: str, lent: str | None = None
) -> QuerySet:
    """Filter `qs` to rows whose `field` (an area code) starts with the actor's prefix.

    With `lent` (the path to the row's household id), also the rows of households lent to
    the actor: see `lent_households`.
    """
    prefix = scope_prefix(actor)
    if prefix is None:
        return qs.none()
    condition = Q(**{f"{field}__startswith": prefix})
    if lent is not None and _may_borrow(actor):
        condition |= Q(**{f"{lent}__in": lent_households(actor)})
    return qs.filter(condition)


def _may_borrow(actor: User | AnonymousUser | None) -> bool:
    return getattr(actor, "role", None) == "social_worker"


def lent_households(actor: User) -> QuerySet:
    """Ids of households outside the worker's own area whose open follow-up is assigned to
    them by a reassignment, in the worker's street."""
    from cases.models import FollowUp

    return FollowUp.objects.filter(
        assignee_id=actor.pk,
        status="open",
        reassigned=True,
        household__area_code__startswith=actor.area.prefix[:9],
    ).values("household_id")


def is_lent(actor: User | AnonymousUser | None, household_id: int) -> bool:
    """Whether the household is lent to the actor (for services that check one household)."""
    if not _may_borrow(actor) or scope_prefix(actor) is None:
        return False
    return lent_households(actor).filter(household_id=household_id).exists()
