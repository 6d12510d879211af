# ruff: noqa: S311 — seeded generators for demo data, not secrets
"""The demo's resource pool: providers of every kind, the five lists, needs and referrals.

District departments offer the policies (政策清单); each street a social-work station and a
health centre; each community a social-work room, a resident unit, a caring shop, a
volunteer team, a party members' pairing group and its everyday services (百事通). Needs go
to about a quarter of the new households, each in one state of its life; those that got
further than open have a referral to a resource that truly fits them (type, area,
categories, availability), in the matching state, and never past a resource's capacity for
its period or its stock. The demo's `provider` user acts for the first community's
social-work room, whose referrals cover every step, so the portal has work in it. This
module makes the pool; pool_needs.py the needs and referrals.

Rows go in by COPY with ids taken first (ledgers/bulk.py), so their dates can lie in the
past; the history triggers record them under the seed's context. Deterministic for one seed,
day and starting database.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from demo import people, pool_needs
from demo.generate import community_places
from households.models import Area, User
from ledgers.bulk import allocate_ids, bulk_history, copy_insert
from resources.models import Provider, ProviderAccount, Resource, ResourceUsage, StockMovement

K, L = Provider.Kind, Resource.PoolList
# (department, policy, need type, subtypes, categories served, unit)
_POLICIES = [
    ("姑苏区民政局", "临时救助", "survival", ["living"], [], "次"),
    ("姑苏区民政局", "特困人员基本生活供养", "survival", ["living"], ["tekun"], "人"),
    ("姑苏区医疗保障局", "医疗救助", "survival", ["medical"], ["dibao", "tekun", "dibian"], "次"),
    ("姑苏区教育局", "教育救助", "development", ["schooling"], ["dibao", "tekun", "dibian"], "人"),
    (
        "姑苏区住房和城乡建设局",
        "住房救助（租赁补贴）",
        "survival",
        ["housing"],
        ["dibao", "dibian"],
        "户",
    ),
    ("姑苏区人力资源和社会保障局", "就业援助", "development", ["employment", "skills"], [], "人"),
    ("姑苏区残疾人联合会", "残疾人康复服务补贴", "care", ["rehabilitation"], [], "人"),
    ("姑苏区司法局", "法律援助", "development", ["legal"], [], "件"),
]
_STREET = [  # (provider suffix, kind, list, resource, type, subtypes, capacity)
    ("社会工作服务站", K.SOCIAL_ORG, L.SOCIAL_ORG, "个案心理疏导", "care", ["psychological"], 10),
    ("社区卫生服务中心", K.UNIT, L.UNIT, "上门健康随访", "survival", ["medical"], 30),
]
_UNITS = [
    "苏州供电公司",
    "中国银行苏州分行",
    "苏州市立医院",
    "苏州大学",
    "苏州轨道交通",
    "中国移动苏州分公司",
]


@dataclass
class _Spec:
    kind: str
    pool_list: str
    name: str
    need_type: str
    subtypes: list[str]
    categories: list[str] = field(default_factory=list)
    units: int | None = None  # a service's capacity or goods' stock
    period: str = Resource.Period.MONTH
    unit: str = "次"


# How a provider's contact is addressed: whole titles, never one character of one.
_CONTACT_TITLES = ("老师", "主任", "经理")


def _community_specs(short: str, places: dict[str, list[str]], unit_name: str) -> list[tuple]:
    """(provider kind, provider name, [resources]) of one community."""
    road, estate = places["road"][0], places["estate"][0]
    svc, goods = Resource.Kind.SERVICE, Resource.Kind.GOODS
    return [
        (
            K.SOCIAL_ORG,
            f"{short}社区睦邻社工室",
            [
                _Spec(svc, L.SOCIAL_ORG, "居家上门照料", "care", ["daily_care"], units=15),
                _Spec(
                    svc,
                    L.SOCIAL_ORG,
                    "青少年课业辅导",
                    "development",
                    ["schooling"],
                    units=8,
                    period=Resource.Period.WEEK,
                ),
            ],
        ),
        (
            K.UNIT,
            f"{unit_name}{short}共建党支部",
            [
                _Spec(svc, L.UNIT, "爱心义诊", "survival", ["medical"], units=20),
                _Spec(
                    goods, L.UNIT, "助学文具包", "development", ["schooling"], units=12, unit="份"
                ),
            ],
        ),
        (
            K.COMPANY,
            f"{road}爱心超市",
            [
                _Spec(
                    goods,
                    L.CARING,
                    "米面油爱心礼包",
                    "survival",
                    ["goods", "living"],
                    units=30,
                    unit="份",
                ),
                _Spec(goods, L.CARING, "冬季棉被", "survival", ["goods"], units=10, unit="床"),
            ],
        ),
        (
            K.VOLUNTEER,
            f"{short}社区志愿服务队",
            [
                _Spec(svc, L.CARING, "独居老人陪伴探访", "care", ["companionship"], units=20),
            ],
        ),
        (
            K.PARTY_MEMBER,
            f"{short}社区党员结对帮扶组",
            [
                _Spec(
                    svc,
                    L.CARING,
                    "党员结对帮扶",
                    "care",
                    ["companionship", "psychological"],
                    units=10,
                ),
            ],
        ),
        (
            K.COMPANY,
            f"{estate}便民服务中心",
            [
                _Spec(svc, L.LIFE, "家电维修上门", "survival", ["living"], units=12),
                _Spec(svc, L.LIFE, "老年助浴", "care", ["daily_care"], units=8),
                _Spec(svc, L.LIFE, "社区助餐送餐", "care", ["daily_care"], units=40),
            ],
        ),
    ]


# ---- the pool ------------------------------------------------------------------------------


def _pool_rows(areas: dict[str, Area], rng: random.Random, today: dt.date, now: dt.datetime):
    """Providers and resources of the whole tree, as rows for COPY."""
    providers: list[dict[str, Any]] = []
    resources: list[tuple[int, dict[str, Any]]] = []  # (provider index, row)

    def provider(kind: str, name: str, area: Area) -> int:
        providers.append(
            {
                "kind": kind,
                "name": name,
                "area_id": area.pk,
                "area_code": area.prefix,
                "contact_name": people.surname(rng) + rng.choice(_CONTACT_TITLES),
                "contact_phone": people.mobile(rng),
                "created_at": now,
            }
        )
        return len(providers) - 1

    def resource(p: int, area: Area, spec: _Spec) -> None:
        state = rng.random()
        row = {
            "kind": spec.kind,
            "pool_list": spec.pool_list,
            "name": spec.name,
            "need_types": [spec.need_type],
            "need_subtypes": spec.subtypes,
            "categories": spec.categories,
            "area_id": area.pk,
            "area_code": area.prefix,
            "capacity": spec.units if spec.kind == Resource.Kind.SERVICE else None,
            "stock": spec.units if spec.kind == Resource.Kind.GOODS else None,
            "period": spec.period,
            "unit": spec.unit,
            "active": state > 0.04,
            "available_from": today - dt.timedelta(days=rng.randint(30, 400)),
            "available_until": (today - dt.timedelta(days=10))
            if 0.04 < state < 0.08
            else (today + dt.timedelta(days=rng.randint(60, 500)))
            if state > 0.7
            else None,
            "created_at": now,
        }
        resources.append((p, row))

    district = next(a for a in areas.values() if a.level == Area.Level.DISTRICT)
    departments: dict[str, int] = {}
    for dept, name, need_type, subtypes, categories, unit in _POLICIES:
        if dept not in departments:
            departments[dept] = provider(K.GOVERNMENT, dept, district)
        spec = _Spec(
            Resource.Kind.POLICY, L.POLICY, name, need_type, subtypes, categories, unit=unit
        )
        resource(departments[dept], district, spec)
    for area in sorted(areas.values(), key=lambda a: a.code):
        if area.level == Area.Level.STREET:
            for suffix, kind, pool_list, name, need_type, subtypes, units in _STREET:
                p = provider(kind, f"{area.name}{suffix}", area)
                resource(
                    p,
                    area,
                    _Spec(Resource.Kind.SERVICE, pool_list, name, need_type, subtypes, units=units),
                )
        elif area.level == Area.Level.COMMUNITY:
            short = area.name.removesuffix("社区")
            unit_name = _UNITS[int(area.code[-3:]) % len(_UNITS)]
            for kind, name, specs in _community_specs(
                short, community_places(area.code), unit_name
            ):
                p = provider(kind, name, area)
                for spec in specs:
                    resource(p, area, spec)
    return providers, resources


# ---- writing -------------------------------------------------------------------------------

_GOVERNMENT_MARK = "姑苏区民政局"


def seed_pool(
    *,
    areas: dict[str, Area],
    worker_by_community: dict[str, int],
    seed: int,
    today: dt.date,
    now: dt.datetime,
    since_household_id: int,
) -> Counter[str]:
    """Make the pool once, then needs and referrals for households above `since_household_id`.

    Runs inside the caller's transaction (seed_demo's), after the households are loaded.
    """
    rng = random.Random(f"zhulian-demo/pool/{seed}/{since_household_id}")
    counts: Counter[str] = Counter()
    with bulk_history(command="seed_demo", seed=seed, part="resource pool"):
        _seed_pool(areas, worker_by_community, rng, today, now, since_household_id, counts)
    return counts


def _seed_pool(
    areas: dict[str, Area],
    worker_by_community: dict[str, int],
    rng: random.Random,
    today: dt.date,
    now: dt.datetime,
    since_household_id: int,
    counts: Counter[str],
) -> None:
    if not Provider.objects.filter(name=_GOVERNMENT_MARK, kind=K.GOVERNMENT).exists():
        counts.update(_write_pool(areas, rng, today, now))
    portal = _link_provider_user(areas)
    pool = _load_pool(today)
    provider_user = User.objects.filter(username="provider").values_list("pk", flat=True).first()
    plan = pool_needs.Plan(today, now, rng, pool, worker_by_community, provider_user, portal)
    plan.community_ids = {a.prefix: a.pk for a in areas.values() if a.level == "community"}
    plan.base.update(
        {
            (rid, start): n
            for rid, start, n in ResourceUsage.objects.values_list(
                "resource_id", "period_start", "used"
            )
        }
    )
    homes = pool_needs.homes_since(since_household_id)
    pool_needs.plan_portal(plan, homes, _portal_provider_name(areas)[0])
    pool_needs.plan_needs(plan, homes)
    counts.update(pool_needs.write_needs(plan))


def _write_pool(areas: dict[str, Area], rng: random.Random, today: dt.date, now: dt.datetime):
    providers, resources = _pool_rows(areas, rng, today, now)
    provider_ids = allocate_ids(Provider, len(providers))
    copy_insert(
        Provider, ({**row, "id": pk} for row, pk in zip(providers, provider_ids, strict=True))
    )
    resource_ids = allocate_ids(Resource, len(resources))
    rows = [
        {**row, "id": pk, "provider_id": provider_ids[p]}
        for (p, row), pk in zip(resources, resource_ids, strict=True)
    ]
    copy_insert(Resource, rows)
    received = [
        {
            "resource_id": row["id"],
            "kind": StockMovement.Kind.RECEIVED,
            "quantity": row["stock"],
            "supplier": "爱心捐赠",
            "created_at": now,
        }
        for row in rows
        if row["kind"] == Resource.Kind.GOODS and row["stock"]
    ]
    copy_insert(StockMovement, received, with_pk=False)
    return Counter(providers=len(providers), resources=len(rows))


def _portal_provider_name(areas: dict[str, Area]) -> tuple[Area, str]:
    first = min(
        (a for a in areas.values() if a.level == Area.Level.COMMUNITY), key=lambda a: a.code
    )
    return first, f"{first.name.removesuffix('社区')}社区睦邻社工室"


def _link_provider_user(areas: dict[str, Area]) -> int | None:
    """The demo `provider` user acts for the first community's social-work room."""
    community, name = _portal_provider_name(areas)
    provider = Provider.objects.filter(area=community, name=name).first()
    user = User.objects.filter(username="provider", role=User.Role.PROVIDER).first()
    if provider is None or user is None:
        return None
    ProviderAccount.objects.get_or_create(user=user, defaults={"provider": provider})
    return provider.pk


def _load_pool(today: dt.date) -> list[pool_needs.PoolResource]:
    rows = (
        Resource.objects.filter(provider__active=True)
        .values_list(
            "id",
            "provider_id",
            "kind",
            "area_code",
            "need_types",
            "need_subtypes",
            "categories",
            "capacity",
            "stock",
            "period",
            "active",
            "available_from",
            "available_until",
        )
        .order_by("id")
    )
    pool = []
    for rid, pid, kind, code, types, subtypes, cats, cap, stock, period, active, a, b in rows:
        available = active and (a is None or a <= today) and (b is None or today <= b)
        units = cap if kind == Resource.Kind.SERVICE else stock
        for need_type in types:
            pool.append(
                pool_needs.PoolResource(
                    rid, pid, kind, code, need_type, subtypes, cats, units, period, available
                )
            )
    return pool
