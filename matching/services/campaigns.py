"""Campaigns (e.g. 寒冬送温暖): one goods resource to a target group, up to its stock."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from access.scope import within
from core.audit import audit
from households.models import Enrolment, Household, Member
from matching.models import Campaign, Need, Referral
from matching.services._common import require_area_in_scope, require_worker
from resources import allocation
from resources.models import Resource, StockMovement

if TYPE_CHECKING:
    from households.models import Area, User

_NEED = Need._meta.db_table
_REFERRAL = Referral._meta.db_table
ADULT_AGE = 18


# ---- the target group ------------------------------------------------------------------


def _adults(day: dt.date, relations: list[str]) -> QuerySet[Member]:
    return Member.objects.filter(
        household=OuterRef("household"),
        status=Member.Status.ACTIVE,
        birth_date__lte=_years_before(day, ADULT_AGE),
        relation__in=relations,
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def orphan_condition(day: dt.date) -> Q:
    """A minor in the household and none of the people who would be their parents.

    Relations are to the head: a child's parents are the head and spouse, a grandchild's
    are the head's children, a minor head's (or sibling's) are the head's parents.
    """
    minors = Member.objects.filter(
        household=OuterRef("pk"),
        status=Member.Status.ACTIVE,
        birth_date__gt=_years_before(day, ADULT_AGE),
    )
    parents_of = [
        (["child"], ["head", "spouse"]),
        (["grandchild"], ["child"]),
        (["head", "sibling"], ["parent"]),
    ]
    condition = Q()
    for relations, parents in parents_of:
        orphans = minors.filter(relation__in=relations).filter(~Exists(_adults(day, parents)))
        condition |= Q(Exists(orphans))
    return condition


def _in_category(code: str, day: dt.date) -> Exists:
    return Exists(
        Enrolment.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day),
            household=OuterRef("pk"),
            category_id=code,
            status=Enrolment.Status.APPROVED,
            start_date__lte=day,
        )
    )


def _group_condition(group: dict[str, Any], day: dt.date) -> Q | None:
    parts = []
    if group.get("category"):
        parts.append(Q(_in_category(group["category"], day)))
    if group.get("one_person"):
        parts.append(Q(active_members=1))
    if group.get("orphan"):
        parts.append(orphan_condition(day))
    if not parts:
        return None
    condition = parts[0]
    for part in parts[1:]:
        condition &= part
    return condition


def campaign_targets(
    *, prefix: str, groups: list[dict[str, Any]], day: dt.date
) -> QuerySet[Household]:
    """Active households under `prefix` in any of the groups (each group: all its parts),
    annotated with `active_members`; least recently helped first, then oldest registered."""
    conditions = [c for c in (_group_condition(g, day) for g in groups) if c is not None]
    if not conditions:
        raise ValidationError({"groups": _("请至少设定一组对象条件。")})
    target = conditions[0]
    for condition in conditions[1:]:
        target |= condition
    active = (
        Member.objects.filter(household=OuterRef("pk"), status=Member.Status.ACTIVE)
        .order_by()
        .values("household")
        .annotate(n=Count("id"))
        .values("n")
    )
    last_helped = (
        Referral.objects.filter(
            household=OuterRef("pk"), status__in=["delivered", "confirmed", "closed"]
        )
        .order_by("-delivered_on")
        .values("delivered_on")[:1]
    )
    return (
        Household.objects.filter(within("area_code", prefix), status=Household.Status.ACTIVE)
        .annotate(
            active_members=Coalesce(Subquery(active, output_field=IntegerField()), 0),
            last_helped=Subquery(last_helped),
        )
        .filter(target)
        .order_by(F("last_helped").asc(nulls_first=True), "id")
    )


# ---- the run ---------------------------------------------------------------------------


def _effective_prefix(area: Area, resource: Resource) -> str:
    """Households the campaign reaches: inside both its area and the area the goods serve."""
    if area.prefix.startswith(resource.area_code):
        return area.prefix
    if resource.area_code.startswith(area.prefix):
        return resource.area_code
    raise ValidationError({"resource": _("该物资的服务范围不覆盖所选区域。")})


@transaction.atomic
def campaign_run(
    *,
    actor: User | None,
    name: str,
    resource: Resource,
    area: Area,
    groups: list[dict[str, Any]],
    per_household: int = 1,
    per_member: bool = False,
    note: str = "",
) -> Campaign:
    """One action: a delivery (need + referral) for each target household, up to the stock.

    The goods row stays locked from reading the stock to taking it, so two campaigns (or a
    campaign and a worker) never give out the same units. Households that do not fit are
    the shortfall, reported on the campaign.
    """
    require_worker(actor)
    require_area_in_scope(actor, area)
    if resource.kind != Resource.Kind.GOODS:
        raise ValidationError({"resource": _("专项活动须选择物资类资源。")})
    if per_household < 1:
        raise ValidationError({"per_household": _("每户数量须大于0。")})
    day = timezone.localdate()
    if not resource.is_available_on(day):
        raise ValidationError({"resource": _("该物资当前不可用。")})
    prefix = _effective_prefix(area, resource)
    # Households with an active referral to this resource already are not served twice:
    # looked up per household through its (household, status) index (referrals have no
    # index on the resource).
    already = Referral.objects.filter(
        household=OuterRef("pk"), status__in=Referral.ACTIVE_STATUSES, resource=resource
    )
    targets = list(
        campaign_targets(prefix=prefix, groups=groups, day=day)
        .exclude(Exists(already))
        .values_list("id", "active_members")
    )
    held = allocation.hold([resource.pk], day=day)[resource.pk]
    stock = held.remaining or 0
    chosen, requested = [], 0
    for household_id, members in targets:
        quantity = per_household * (max(1, members) if per_member else 1)
        requested += quantity
        if quantity <= stock:
            chosen.append((household_id, quantity))
            stock -= quantity
    campaign = Campaign.objects.create(
        name=name.strip(),
        resource=resource,
        area=area,
        groups=groups,
        per_household=per_household,
        per_member=per_member,
        created_by=actor,
        households_targeted=len(targets),
        households_served=len(chosen),
        units_requested=requested,
        units_given=sum(q for _h, q in chosen),
    )
    # Units before the inserts, as in the batch run (matching/services/batch.py).
    allocation.take({resource.pk: held}, [(resource.pk, campaign.units_given)])
    referral_ids = _insert_deliveries(campaign, chosen, actor=actor, note=note)
    allocation.record_movements(
        [
            (resource.pk, StockMovement.Kind.GIVEN, quantity, rid)
            for rid, (_h, quantity) in zip(referral_ids, chosen, strict=True)
        ],
        actor_id=actor.pk if actor else None,
    )
    audit(
        actor=actor,
        verb="campaign.run",
        obj=campaign,
        changes={
            "resource": resource.pk,
            "targeted": campaign.households_targeted,
            "served": campaign.households_served,
            "units_short": campaign.units_short,
        },
    )
    return campaign


def _insert_deliveries(
    campaign: Campaign, chosen: list[tuple[int, int]], *, actor: User | None, note: str
) -> list[int]:
    """A goods need (already matched) and its referral for each chosen household: two
    statements whatever the number of households. Returns the referral ids in the order of
    `chosen`."""
    if not chosen:
        return []
    actor_id = actor.pk if actor else None
    households = [h for h, _q in chosen]
    quantities = [q for _h, q in chosen]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {_NEED} (
                uuid, created_at, updated_at, household_id, type, subtype, urgency, source,
                status, description, quantity, area_code, requester_phone, created_by_id,
                close_reason, version)
            SELECT gen_random_uuid(), now(), now(), v.household_id, 'survival', 'goods', 2,
                   'campaign', 'matched', %s, v.quantity, '', '', %s, '', 1
            FROM unnest(%s::bigint[], %s::int[]) AS v(household_id, quantity)
            RETURNING household_id, id
            """,  # noqa: S608
            [campaign.name, actor_id, households, quantities],
        )
        need_of = dict(cursor.fetchall())
        cursor.execute(
            f"""
            INSERT INTO {_REFERRAL} (
                uuid, created_at, updated_at, need_id, resource_id, provider_id, household_id,
                status, quantity, score, reasons, note, campaign_id, proposed_by_id,
                proposed_at, decline_reason, delivery_note, outcome, confirm_note,
                close_reason, version)
            SELECT gen_random_uuid(), now(), now(), v.need_id, %s, %s, v.household_id,
                   'proposed', v.quantity, 0, '[]'::jsonb, %s, %s, %s, now(), '', '', '', '',
                   '', 1
            FROM unnest(%s::bigint[], %s::bigint[], %s::int[])
                 AS v(need_id, household_id, quantity)
            RETURNING household_id, id
            """,  # noqa: S608
            [
                campaign.resource_id,
                campaign.resource.provider_id,
                note.strip()[:200] or campaign.name,
                campaign.pk,
                actor_id,
                [need_of[h] for h in households],
                households,
                quantities,
            ],
        )
        referral_of = dict(cursor.fetchall())
    # Each household appears once in a campaign, so it keys both inserts.
    return [referral_of[h] for h in households]
