"""Reads of the resource pool. Every one starts from a `*_qs_visible_to(actor=…)` scoping root.

The pool a community sees is every provider and resource whose area lies inside the actor's
area, and every one whose area contains it: a district's department or a street's service
centre serves the communities below it. A provider's user sees only its own provider.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    DateField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from access.capabilities import Can, can
from access.scope import covers, scope_prefix, serving, within
from core.selectors import filtered as _filtered
from core.selectors import get_by_uuid as _get
from households.models import Area
from resources.filters import ProviderFilter, ResourceFilter
from resources.models import Provider, ProviderAccount, Resource, ResourceUsage, StockMovement
from resources.periods import period_start

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from households.models import User

    Actor = User | AnonymousUser | None


def _pool_scope(qs: QuerySet, *, actor: Actor) -> QuerySet:
    prefix = scope_prefix(actor)
    if prefix is None:
        return qs.none()
    return qs.filter(serving("area_code", prefix))


def _keeps(actor: Actor, area_code: str) -> bool:
    """Whether the actor may change a pool row of this area: its role, inside its own area."""
    return can(actor, Can.KEEP_POOL) and covers(actor, area_code)


# ---- providers -------------------------------------------------------------------------


def provider_of(actor: Actor) -> Provider | None:
    """The provider a provider-role user acts for, or None."""
    if not can(actor, Can.ACT_FOR_PROVIDER):
        return None
    account = ProviderAccount.objects.filter(user=actor).select_related("provider").first()
    return account.provider if account is not None else None


def provider_id_of(actor: Actor) -> int | None:
    if not can(actor, Can.ACT_FOR_PROVIDER):
        return None
    return ProviderAccount.objects.filter(user=actor).values_list("provider_id", flat=True).first()


def provider_qs_visible_to(*, actor: Actor) -> QuerySet[Provider]:
    """Providers in, above or below the actor's area; a provider's user sees only its own."""
    if can(actor, Can.ACT_FOR_PROVIDER):
        return Provider.objects.filter(accounts__user=actor)
    if not can(actor, Can.VIEW_POOL):
        return Provider.objects.none()
    return _pool_scope(Provider.objects.all(), actor=actor)


def provider_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Provider]:
    qs = provider_qs_visible_to(actor=actor).select_related("area")
    return _filtered(ProviderFilter, qs, filters).order_by("-id")


def provider_get(*, actor: Actor, provider_id: UUID | str) -> Provider:
    return _get(provider_qs_visible_to(actor=actor).select_related("area"), provider_id)


def provider_get_for_edit(*, actor: Actor, provider_id: UUID | str) -> Provider:
    """A visible provider the actor keeps: 404 when invisible, 403 when not theirs to change."""
    provider = provider_get(actor=actor, provider_id=provider_id)
    if not _keeps(actor, provider.area_code):
        raise PermissionDenied
    return provider


def provider_choices_for_edit(*, actor: Actor) -> QuerySet[Provider]:
    """Providers a resource may be added to by this actor: active, inside its area."""
    prefix = scope_prefix(actor)
    if prefix is None or not can(actor, Can.KEEP_POOL):
        return Provider.objects.none()
    return Provider.objects.filter(within("area_code", prefix), active=True).order_by("name")


def area_choices_for_pool(*, actor: Actor) -> QuerySet[Area]:
    """Areas a provider may belong to, or a resource serve, when this actor keeps the pool."""
    prefix = scope_prefix(actor)
    if prefix is None or not can(actor, Can.KEEP_POOL):
        return Area.objects.none()
    return Area.objects.filter(within("prefix", prefix)).select_related("parent").order_by("code")


# ---- resources -------------------------------------------------------------------------


def resource_qs_visible_to(*, actor: Actor) -> QuerySet[Resource]:
    """Resources serving an area in, above or below the actor's; a provider sees its own."""
    if can(actor, Can.ACT_FOR_PROVIDER):
        return Resource.objects.filter(provider__accounts__user=actor)
    if not can(actor, Can.VIEW_POOL):
        return Resource.objects.none()
    return _pool_scope(Resource.objects.all(), actor=actor)


def with_remaining(qs: QuerySet[Resource], *, day: dt.date | None = None) -> QuerySet[Resource]:
    """Annotate `used_now`: the units of the current period a service has given out."""
    day = day or timezone.localdate()
    current = Case(
        # One When per period, so the subquery below reads one usage row by its unique key.
        *[When(period=p, then=Value(period_start(p, day))) for p in Resource.Period.values],
        output_field=DateField(),
    )
    usage = ResourceUsage.objects.filter(
        resource=OuterRef("pk"), period_start=OuterRef("current_period")
    ).values("used")[:1]
    return qs.annotate(
        current_period=current,
        used_now=Coalesce(Subquery(usage, output_field=IntegerField()), Value(0)),
    )


def resource_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Resource]:
    qs = with_remaining(resource_qs_visible_to(actor=actor).select_related("provider", "area"))
    return _filtered(ResourceFilter, qs, filters).order_by("-id")


def resource_get(*, actor: Actor, resource_id: UUID | str) -> Resource:
    qs = with_remaining(resource_qs_visible_to(actor=actor).select_related("provider", "area"))
    return _get(qs, resource_id)


def resource_get_for_edit(*, actor: Actor, resource_id: UUID | str) -> Resource:
    """A visible resource the actor keeps: 404 when invisible, 403 when not theirs to change."""
    resource = resource_get(actor=actor, resource_id=resource_id)
    if not _keeps(actor, resource.area_code) and not _keeps(actor, resource.provider.area_code):
        raise PermissionDenied
    return resource


def resource_movements(*, resource: Resource, limit: int = 50) -> list[StockMovement]:
    return list(resource.movements.select_related("actor").order_by("-id")[:limit])


def remaining_of(resource: Resource) -> int | None:
    """Units left now (needs `with_remaining`): None for a policy, which has no limit."""
    if resource.kind == Resource.Kind.SERVICE:
        return max(0, (resource.capacity or 0) - getattr(resource, "used_now", 0))
    if resource.kind == Resource.Kind.GOODS:
        return resource.stock or 0
    return None


def pool_list_counts(*, actor: Actor) -> dict[str, int]:
    """How many resources each of the five lists holds for this actor: one GROUP BY."""
    rows = (
        resource_qs_visible_to(actor=actor).order_by().values("pool_list").annotate(n=Count("id"))
    )
    counts = dict.fromkeys(Resource.PoolList.values, 0)
    counts.update({row["pool_list"]: row["n"] for row in rows})
    return counts
