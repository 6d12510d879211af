"""Demo needs and referrals over the demo resource pool (see resource_pool.py).

About a quarter of the new households get a need, each in one state of its life; those that
got further than open have a referral to a resource that truly fits them (type, area,
categories, availability), in the matching step, never past a resource's capacity for its
period or its stock. The first community's social-work room (the demo `provider` user's) gets
one referral in every step. Rows go in by COPY with ids taken first, so dates lie in the past.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone
from psycopg.types.json import Jsonb

from demo import people
from households.models import Area, Enrolment, Household
from ledgers.bulk import allocate_ids, copy_insert
from matching.models import Need, Referral
from resources.models import Resource, ResourceUsage, StockMovement
from resources.periods import period_start


@dataclass
class PoolResource:
    id: int
    provider_id: int
    kind: str
    area_code: str
    need_type: str
    subtypes: list[str]
    categories: list[str]
    units: int | None
    period: str
    available: bool


# ---- needs and referrals ---------------------------------------------------------------------

# Need kinds with weights, and what a worker writes down for them.
_NEEDS: list[tuple[str, str, int, str]] = [
    ("survival", "living", 14, "家庭收入低，日常生活开支困难"),
    ("survival", "medical", 12, "慢性病长期用药，医疗费用负担重"),
    ("survival", "goods", 10, "冬季缺少御寒衣被和生活物资"),
    ("survival", "housing", 4, "租住房屋条件差，需住房帮扶"),
    ("care", "companionship", 12, "老人独居，希望有人定期上门陪伴"),
    ("care", "daily_care", 14, "行动不便，需要上门助洁、助餐"),
    ("care", "psychological", 5, "家庭变故后情绪低落，需要心理疏导"),
    ("care", "rehabilitation", 5, "残疾后需要康复训练"),
    ("development", "schooling", 10, "孩子上学需要学习用品和课业辅导"),
    ("development", "employment", 6, "失业在家，希望找到工作"),
    ("development", "skills", 4, "希望参加职业技能培训"),
    ("development", "legal", 4, "劳动纠纷，需要法律援助"),
]
_URGENCY = [(1, 35), (2, 40), (3, 18), (4, 7)]
_SOURCE = [("visit", 60), ("phone", 15), ("walk_in", 15), ("self_request", 10)]
# Where each need's life has got to: (need status, referral status or None), with weights.
_STAGES = [
    (("open", None), 34),
    (("open", "declined"), 5),
    (("open", "cancelled"), 3),
    (("matched", "proposed"), 15),
    (("in_progress", "accepted"), 10),
    (("in_progress", "delivered"), 8),
    (("met", "confirmed"), 12),
    (("met", "closed"), 10),
    (("closed", None), 6),
]
# The first community's social-work room (the `provider` user's) gets one referral per step.
_PORTAL_STEPS = [
    "proposed",
    "proposed",
    "accepted",
    "delivered",
    "confirmed",
    "closed",
    "declined",
    "cancelled",
]
NEED_SHARE = 0.25  # of new households
MOST_NEEDS_PER_COMMUNITY = 60  # so 100,000 households do not bury the pool


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


@dataclass
class Plan:
    today: dt.date
    now: dt.datetime
    rng: random.Random
    pool: list[PoolResource]
    workers: dict[str, int]
    provider_user: int | None
    portal_provider: int | None
    community_ids: dict[str, int] = field(default_factory=dict)
    by_area: dict[str, list[PoolResource]] = field(default_factory=lambda: defaultdict(list))
    base: Counter = field(default_factory=Counter)  # service units used before this run
    used: Counter = field(default_factory=Counter)  # (resource id, period start) → units
    needs: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)
    movements: list[dict[str, Any]] = field(default_factory=list)

    def candidates(self, area_code: str, kind: tuple, categories: set[str]) -> list[PoolResource]:
        need_type, subtype = kind
        if not self.by_area:
            for r in self.pool:
                self.by_area[r.area_code].append(r)
        near = [area_code[:n] for n in (15, 12, 9, 6) if n <= len(area_code)]
        return [
            r
            for code in near
            for r in self.by_area.get(code, ())
            if r.available
            and r.need_type == need_type
            and subtype in r.subtypes
            and (not r.categories or categories & set(r.categories))
        ]

    def fits(self, r: PoolResource, start: dt.date, quantity: int) -> bool:
        if r.units is None:
            return True
        key = (r.id, start if r.kind == Resource.Kind.SERVICE else None)
        return self.base[key] + self.used[key] + quantity <= r.units


def _moment(plan: Plan, days_ago: int) -> dt.datetime:
    minutes = plan.rng.randint(8 * 60, 18 * 60)
    day = plan.today - dt.timedelta(days=days_ago)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes))
    return _not_after_now(plan, at)


def _not_after_now(plan: Plan, at: dt.datetime) -> dt.datetime:
    """`at`, or a little before now when it would lie ahead (a need noted earlier today)."""
    return min(at, plan.now - dt.timedelta(minutes=plan.rng.randint(5, 60)))


def _add_need(
    plan: Plan,
    home: tuple,
    stage: tuple,
    kind: tuple,
    text: str,
    choice: PoolResource | None = None,
) -> None:
    """One need of household `home` (id, area code, community, categories) at `stage`."""
    rng = plan.rng
    hid, area_code, community, categories, own_worker = home
    need_status, referral_status = stage
    worker = own_worker or plan.workers.get(community)
    resource = choice
    # Needs of the last three months, this month's too: the resources' current period is used.
    age = rng.randint(2, 90)
    created = _moment(plan, age)
    proposed = max(created, _not_after_now(plan, created + dt.timedelta(hours=rng.randint(2, 72))))
    if referral_status is not None and resource is None:
        fitting = plan.candidates(area_code, kind, categories)
        # Nearest first (community, street, district), then any that has units left.
        fitting.sort(key=lambda r: (-len(r.area_code), rng.random()))
        day = proposed.date()
        resource = next((r for r in fitting if plan.fits(r, _start(r, day), 1)), None)
        if resource is None:
            need_status, referral_status = "open", None
    need_id = len(plan.needs)
    met_at = None
    if need_status == "met":
        met_at = max(created, _not_after_now(plan, created + dt.timedelta(days=rng.randint(5, 15))))
    plan.needs.append(
        {
            "household_id": hid,
            "type": kind[0],
            "subtype": kind[1],
            "description": text,
            "urgency": _pick(rng, _URGENCY),
            "source": _pick(rng, _SOURCE),
            "status": need_status,
            "quantity": 1,
            "area_code": "",
            "created_by_id": worker,
            "created_at": created,
            "updated_at": met_at or created,
            "met_at": met_at,
            "closed_by_id": worker if need_status == "closed" else None,
            "closed_at": (
                max(created, _not_after_now(plan, created + dt.timedelta(days=3)))
                if need_status == "closed"
                else None
            ),
            "close_reason": "家属已自行解决" if need_status == "closed" else "",
        }
    )
    if referral_status is not None and resource is not None:
        _add_referral(plan, need_id, home, resource, referral_status, proposed)


def _start(resource: PoolResource, day: dt.date) -> dt.date:
    return period_start(resource.period, day)


def _add_referral(
    plan: Plan, need: int, home: tuple, r: PoolResource, status: str, proposed: dt.datetime
) -> None:
    rng, worker = plan.rng, home[4] or plan.workers.get(home[2])
    start = _start(r, proposed.date())
    holds = status not in ("declined", "cancelled")
    if holds and r.units is not None:
        plan.used[(r.id, start if r.kind == Resource.Kind.SERVICE else None)] += 1
    decider = plan.provider_user if r.provider_id == plan.portal_provider else worker
    steps = ["proposed", "accepted", "delivered", "confirmed", "closed"]
    reached = steps.index(status) if status in steps else 0
    # Each step a couple of days after the last; a recent referral's steps closer together,
    # so the last one it reached is still before now.
    room = (plan.now - proposed) / 6
    step = min(dt.timedelta(days=2), max(room, dt.timedelta(minutes=10)))
    at = [
        proposed + step * i + min(step / 2, dt.timedelta(hours=rng.randint(1, 8))) for i in range(5)
    ]
    row = {
        "need_id": need,
        "resource_id": r.id,
        "provider_id": r.provider_id,
        "household_id": home[0],
        "status": status,
        "quantity": 1,
        "period_start": start if r.kind == Resource.Kind.SERVICE else None,
        "score": rng.randint(55, 95),
        "reasons": Jsonb([]),
        "proposed_by_id": worker,
        "proposed_at": proposed,
        "created_at": proposed,
        "updated_at": at[1] if status == "declined" else at[reached],
        "decided_by_id": decider if reached >= 1 or status == "declined" else None,
        "decided_at": at[1] if reached >= 1 or status == "declined" else None,
        "decline_reason": "本期名额已排满，建议转介其他机构" if status == "declined" else "",
    }
    if status == "cancelled":  # withdrawn by the worker before the provider answered
        row.update(
            updated_at=at[1],
            closed_by_id=worker,
            closed_at=at[1],
            close_reason="家属已自行联系其他服务",
        )
    if reached >= 2:
        row.update(
            delivered_by_id=decider,
            delivered_at=at[2],
            delivered_on=at[2].date(),
            delivered_quantity=1,
            delivery_note="已按约定上门完成",
        )
    if reached >= 3:
        row.update(
            confirmed_by_id=worker,
            confirmed_at=at[3],
            outcome="met",
            satisfaction=rng.choice([4, 5, 5, 5, 3]),
            confirm_note="回访确认，家属满意",
        )
    if reached >= 4:
        row.update(closed_by_id=worker, closed_at=at[4])
    plan.referrals.append(row)
    if r.kind == Resource.Kind.GOODS:
        plan.movements.append(
            {
                "resource_id": r.id,
                "kind": StockMovement.Kind.GIVEN,
                "quantity": 1,
                "referral": len(plan.referrals) - 1,
                "actor_id": worker,
                "created_at": proposed,
            }
        )
        if not holds:
            plan.movements.append(
                {
                    "resource_id": r.id,
                    "kind": StockMovement.Kind.RETURNED,
                    "quantity": 1,
                    "referral": len(plan.referrals) - 1,
                    "actor_id": decider,
                    "created_at": at[1],
                }
            )


def homes_since(since: int) -> dict[str, list[tuple]]:
    """Active households above `since`, by community: (id, area code, community, categories,
    the household's worker)."""
    rows = list(
        Household.objects.filter(pk__gt=since, status=Household.Status.ACTIVE)
        .order_by("id")
        .values_list("id", "area_code", "worker_id")
    )
    cats: dict[int, set[str]] = defaultdict(set)
    for hid, code in Enrolment.objects.filter(
        household_id__gt=since, status=Enrolment.Status.APPROVED
    ).values_list("household_id", "category_id"):
        cats[hid].add(code)
    homes: dict[str, list[tuple]] = defaultdict(list)
    for hid, code, worker in rows:
        homes[code[:12]].append((hid, code, code[:12], cats[hid], worker))
    return homes


def plan_portal(plan: Plan, homes: dict[str, list[tuple]], community: Area) -> None:
    """Give the portal's provider one referral in every step, in its own community."""
    service = next(
        (
            r
            for r in plan.pool
            if r.provider_id == plan.portal_provider
            and r.kind == Resource.Kind.SERVICE
            and r.available
            and r.need_type == "care"
        ),
        None,
    )
    own = homes.get(community.prefix, [])
    if service is None or not own:
        return
    need_status = {
        "proposed": "matched",
        "accepted": "in_progress",
        "delivered": "in_progress",
        "confirmed": "met",
        "closed": "met",
        "declined": "open",
        "cancelled": "open",
    }
    text = "行动不便，需要上门助洁、助餐"
    for i, step in enumerate(_PORTAL_STEPS):
        home = own[i % len(own)]
        stage = (need_status[step], step)
        _add_need(plan, home, stage, (service.need_type, service.subtypes[0]), text, service)
    del own[: len(_PORTAL_STEPS)]


def plan_needs(plan: Plan, homes: dict[str, list[tuple]]) -> None:
    rng = plan.rng
    kinds = [((t, s, text), w) for t, s, w, text in _NEEDS]
    for community in sorted(homes):
        chosen = [h for h in homes[community] if rng.random() < NEED_SHARE]
        for home in chosen[:MOST_NEEDS_PER_COMMUNITY]:
            need_type, subtype, text = _pick(rng, kinds)
            _add_need(plan, home, _pick(rng, _STAGES), (need_type, subtype), text)
        if rng.random() < 0.6:
            _add_self_request(plan, community, rng)


def _add_self_request(plan: Plan, community: str, rng: random.Random) -> None:
    """一键求助 waiting in the community's inbox (no household yet)."""
    created = _moment(plan, rng.randint(0, 3))
    plan.needs.append(
        {
            "household_id": None,
            "type": "care",
            "subtype": "daily_care",
            "status": "unverified",
            "description": "家中老人摔伤卧床，请社区帮忙联系上门照护",
            "urgency": 3,
            "source": "self_request",
            "quantity": 1,
            "area_code": community,
            "area_id": plan.community_ids.get(community),
            "requester_phone": people.mobile(rng),
            "created_at": created,
            "updated_at": created,
            "close_reason": "",
        }
    )


def write_needs(plan: Plan) -> Counter[str]:
    need_ids = allocate_ids(Need, len(plan.needs))
    copy_insert(Need, ({**row, "id": pk} for row, pk in zip(plan.needs, need_ids, strict=True)))
    referral_ids = allocate_ids(Referral, len(plan.referrals))
    copy_insert(
        Referral,
        (
            {**row, "id": pk, "need_id": need_ids[row["need_id"]]}
            for row, pk in zip(plan.referrals, referral_ids, strict=True)
        ),
    )
    copy_insert(
        StockMovement,
        (
            {
                **{k: v for k, v in row.items() if k != "referral"},
                "referral_id": referral_ids[row["referral"]],
            }
            for row in plan.movements
        ),
        with_pk=False,
    )
    _take_units(plan)
    counts = Counter(f"need:{row['status']}" for row in plan.needs)
    counts.update(f"referral:{row['status']}" for row in plan.referrals)
    counts.update(needs=len(plan.needs), referrals=len(plan.referrals))
    return counts


def _take_units(plan: Plan) -> None:
    """What the referrals hold: service usage per period, and goods out of stock."""
    usage = [(rid, start, n) for (rid, start), n in plan.used.items() if start is not None]
    goods = [(rid, n) for (rid, start), n in plan.used.items() if start is None]
    with connection.cursor() as cursor:
        if usage:
            cursor.execute(
                f"INSERT INTO {ResourceUsage._meta.db_table} (resource_id, period_start, used) "  # noqa: S608
                "SELECT * FROM unnest(%s::bigint[], %s::date[], %s::int[]) "
                "ON CONFLICT (resource_id, period_start) "
                f"DO UPDATE SET used = {ResourceUsage._meta.db_table}.used + EXCLUDED.used",
                [[u[0] for u in usage], [u[1] for u in usage], [u[2] for u in usage]],
            )
        if goods:
            cursor.execute(
                f"UPDATE {Resource._meta.db_table} r SET stock = r.stock - v.n "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::int[]) AS v(id, n) WHERE r.id = v.id",
                [[g[0] for g in goods], [g[1] for g in goods]],
            )
