"""Writes to the resource pool. Each is atomic, checks who may, and leaves an audit event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from access.scope import covers
from core.audit import audit, diff
from core.errors import StaleVersionError
from households.models import Area, User
from resources.allocation import record_movements
from resources.models import Provider, ProviderAccount, Resource, StockMovement

PROVIDER_FIELDS = ["kind", "name", "area", "contact_name", "contact_phone", "address"]
PROVIDER_FIELDS += ["description", "active"]
RESOURCE_FIELDS = [
    "kind",
    "pool_list",
    "name",
    "description",
    "department",
    "categories",
    "need_types",
    "need_subtypes",
    "area",
    "capacity",
    "period",
    "unit",
    "available_from",
    "available_until",
    "latitude",
    "longitude",
    "active",
]

# Which of the five lists a resource lands in when the keeper does not say.
DEFAULT_LIST = {
    Provider.Kind.GOVERNMENT: Resource.PoolList.POLICY,
    Provider.Kind.SOCIAL_ORG: Resource.PoolList.SOCIAL_ORG,
    Provider.Kind.UNIT: Resource.PoolList.UNIT,
    Provider.Kind.COMPANY: Resource.PoolList.CARING,
    Provider.Kind.VOLUNTEER: Resource.PoolList.CARING,
    Provider.Kind.PARTY_MEMBER: Resource.PoolList.CARING,
}


def _require_keeper(actor: User | None, area: Area) -> None:
    """Only pool keepers, and only inside their own area. `actor=None` is the system."""
    if actor is None:
        return
    if not can(actor, Can.KEEP_POOL):
        raise PermissionDenied
    if not covers(actor, area.prefix):
        raise ValidationError({"area": _("所选区划不在您的管辖范围内。")})


def _check_version(obj: Provider | Resource, expected: int | None) -> None:
    if expected is not None and obj.version != expected:
        raise StaleVersionError


# ---- providers -------------------------------------------------------------------------


@transaction.atomic
def provider_create(
    *, actor: User | None, kind: str, name: str, area: Area, **data: Any
) -> Provider:
    _require_keeper(actor, area)
    provider = Provider(kind=kind, name=name.strip(), area=area, area_code=area.prefix)
    for field in PROVIDER_FIELDS:
        if field in data:
            setattr(provider, field, data[field])
    provider.full_clean()
    provider.save()
    audit(actor=actor, verb="provider.create", obj=provider, changes={"name": provider.name})
    return provider


@transaction.atomic
def provider_update(
    *,
    actor: User | None,
    provider: Provider,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Provider:
    provider = Provider.objects.select_for_update().select_related("area").get(pk=provider.pk)
    _require_keeper(actor, provider.area)
    _check_version(provider, expected_version)
    fields = [name for name in PROVIDER_FIELDS if name in data]
    before = {name: getattr(provider, name) for name in fields}
    for name in fields:
        setattr(provider, name, data[name])
    if "area" in fields:
        _require_keeper(actor, provider.area)
        provider.area_code = provider.area.prefix
        fields.append("area_code")
    provider.full_clean()
    changes = diff(provider, before, [f for f in fields if f != "area_code"])
    if not changes:
        return provider
    provider.version += 1
    provider.save(update_fields=[*fields, "version", "updated_at"])
    audit(actor=actor, verb="provider.update", obj=provider, changes=changes)
    return provider


@transaction.atomic
def provider_account_link(*, actor: User | None, provider: Provider, user: User) -> ProviderAccount:
    """Let a provider-role user act for `provider` in the portal and the API (one provider each)."""
    _require_keeper(actor, provider.area)
    if user.role != User.Role.PROVIDER:
        raise ValidationError({"user": _("只有“服务机构/志愿者”角色的用户可以绑定救助力量。")})
    account, _created = ProviderAccount.objects.update_or_create(
        user=user, defaults={"provider": provider}
    )
    audit(actor=actor, verb="provider.account_link", obj=provider, changes={"user": user.username})
    return account


# ---- resources -------------------------------------------------------------------------


def _check_kind_fields(resource: Resource) -> None:
    """A service counts capacity, goods count stock, a policy counts neither."""
    if resource.kind != Resource.Kind.SERVICE:
        resource.capacity = None
    if resource.kind == Resource.Kind.POLICY:
        resource.stock = None
    resource.categories = sorted(set(resource.categories or []))
    resource.need_types = sorted(set(resource.need_types or []))
    resource.need_subtypes = sorted(set(resource.need_subtypes or []))


@transaction.atomic
def resource_create(
    *,
    actor: User | None,
    provider: Provider,
    kind: str,
    name: str,
    area: Area,
    need_types: list[str],
    stock: int | None = None,
    **data: Any,
) -> Resource:
    """Add a resource to the pool. Goods start with `stock` units, recorded as a receipt."""
    _require_keeper(actor, area)
    resource = Resource(
        provider=provider,
        kind=kind,
        name=name.strip(),
        area=area,
        area_code=area.prefix,
        need_types=need_types,
        pool_list=data.pop("pool_list", None) or DEFAULT_LIST[provider.kind],
        stock=(stock or 0) if kind == Resource.Kind.GOODS else None,
    )
    if kind == Resource.Kind.POLICY and "unit" not in data:
        resource.unit = _("项")
    if kind == Resource.Kind.GOODS and "unit" not in data:
        resource.unit = _("件")
    for field in RESOURCE_FIELDS:
        if field in data:
            setattr(resource, field, data[field])
    _check_kind_fields(resource)
    resource.full_clean()
    resource.save()
    if resource.stock:
        record_movements(
            [(resource.pk, StockMovement.Kind.RECEIVED, resource.stock, None)],
            actor_id=actor.pk if actor else None,
            note=_("初始库存"),
        )
    audit(actor=actor, verb="resource.create", obj=resource, changes={"name": resource.name})
    return resource


@transaction.atomic
def resource_update(
    *,
    actor: User | None,
    resource: Resource,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Resource:
    """Change a resource. Stock is not edited here: it moves only by receipts and issues."""
    resource = Resource.objects.select_for_update().select_related("area").get(pk=resource.pk)
    _require_keeper(actor, resource.area)
    _check_version(resource, expected_version)
    fields = [name for name in RESOURCE_FIELDS if name in data and name != "kind"]
    before = {name: getattr(resource, name) for name in fields}
    for name in fields:
        setattr(resource, name, data[name])
    if "area" in fields:
        _require_keeper(actor, resource.area)
        resource.area_code = resource.area.prefix
        fields.append("area_code")
    _check_kind_fields(resource)
    resource.full_clean()
    changes = diff(resource, before, [f for f in fields if f != "area_code"])
    if not changes:
        return resource
    resource.version += 1
    resource.save(update_fields=[*fields, "version", "updated_at"])
    audit(actor=actor, verb="resource.update", obj=resource, changes=changes)
    return resource


@transaction.atomic
def stock_receive(
    *,
    actor: User | None,
    resource: Resource,
    quantity: int,
    supplier: str = "",
    note: str = "",
) -> StockMovement:
    """Goods received from a supplier: stock grows, and the receipt is a ledger row."""
    _require_keeper(actor, resource.area)
    if resource.kind != Resource.Kind.GOODS:
        raise ValidationError({"quantity": _("只有物资类资源有库存。")})
    if quantity <= 0:
        raise ValidationError({"quantity": _("入库数量须大于0。")})
    # The column's ceiling, checked in the UPDATE itself so that concurrent receipts cannot
    # pass it either: beyond it PostgreSQL refuses the row (a 500 before this check).
    ceiling = 2_147_483_647
    if quantity > ceiling or not Resource.objects.filter(
        pk=resource.pk, stock__lte=ceiling - quantity
    ).update(stock=F("stock") + quantity):
        raise ValidationError({"quantity": _("入库后库存将超出上限，请核对数量。")})
    movement = StockMovement.objects.create(
        resource=resource,
        kind=StockMovement.Kind.RECEIVED,
        quantity=quantity,
        supplier=supplier,
        note=note,
        actor=actor,
    )
    resource.refresh_from_db(fields=["stock"])
    audit(
        actor=actor,
        verb="resource.stock_receive",
        obj=resource,
        changes={"quantity": quantity, "supplier": supplier, "stock": resource.stock},
    )
    return movement
