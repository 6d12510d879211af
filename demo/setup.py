# ruff: noqa: S311 — seeded generators for demo data, not secrets
"""The demo's area tree and its users, made once and found again on later runs."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission

from demo import people, pools
from demo.generate import Community, community_places
from households.models import Area, User

DEMO_PASSWORD = "zhulian-demo"  # noqa: S105 — demo data, printed on purpose

# Permissions that let the district admin keep reference data in the Django admin and see
# (but not bypass the services for) the registry there.
_ADMIN_PERMISSIONS = [
    "reveal_id_number",
    "export_full_id_number",
    "view_area",
    "add_area",
    "change_area",
    "view_category",
    "change_category",
    "view_household",
    "view_member",
    "view_enrolment",
    "view_user",
]


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    level: str
    parent: str | None


@dataclass
class DemoUsers:
    admin_id: int | None
    worker_by_community: dict[str, int]  # the community's first worker
    workers_by_community: dict[str, list[int]]  # all of them, the first one first
    listed: list[tuple[str, str, str]]  # (username, role label, area name) worth printing
    created: int


def area_specs() -> tuple[list[AreaSpec], dict[str, float]]:
    """The tree 区 → 8 街道 → 100 社区 → 2–4 网格 each, and a size weight per community.

    Fixed whatever the seed, so later runs with other seeds share the same tree.
    """
    rng = random.Random("zhulian-demo/areas")
    district_code, district_name = pools.DISTRICT
    specs = [AreaSpec(district_code, district_name, Area.Level.DISTRICT, None)]
    weights: dict[str, float] = {}
    for s, (street_name, communities) in enumerate(pools.STREETS, start=1):
        street = f"{district_code[:6]}{s:03d}000"
        specs.append(AreaSpec(street, street_name, Area.Level.STREET, district_code))
        for c, short in enumerate(communities, start=1):
            community = f"{street[:9]}{c:03d}"
            specs.append(AreaSpec(community, f"{short}社区", Area.Level.COMMUNITY, street))
            weights[community] = rng.uniform(0.6, 1.4)
            for g in range(rng.randint(2, 4)):
                name = f"{short}社区第{pools.GRID_ORDINALS[g]}网格"
                specs.append(AreaSpec(f"{community}{g + 1:03d}", name, Area.Level.GRID, community))
    return specs, weights


def ensure_areas() -> dict[str, Area]:
    """Create the missing areas of the tree, parents first; return every one by code."""
    specs, _weights = area_specs()
    codes = [spec.code for spec in specs]
    found = {area.code: area for area in Area.objects.filter(code__in=codes)}
    for level in (Area.Level.DISTRICT, Area.Level.STREET, Area.Level.COMMUNITY, Area.Level.GRID):
        missing = [s for s in specs if s.level == level and s.code not in found]
        if not missing:
            continue
        Area.objects.bulk_create(
            Area(
                code=s.code,
                name=s.name,
                level=s.level,
                prefix=Area.prefix_of(s.code, s.level),
                parent=found[s.parent] if s.parent else None,
            )
            for s in missing
        )
        found.update((a.code, a) for a in Area.objects.filter(code__in=[s.code for s in missing]))
    return found


def extra_workers(index: int) -> int:
    """How many workers a community has besides its first: a street's big communities share
    the work between two or three (the first community, the demo `worker`'s, has three)."""
    if index == 1:
        return 2
    draw = random.Random(f"zhulian-demo/workers/{index}").random()
    return 2 if draw < 0.08 else 1 if draw < 0.35 else 0


def _user_specs(areas: dict[str, Area]) -> list[tuple[str, str, Area]]:
    district = next(a for a in areas.values() if a.level == Area.Level.DISTRICT)
    street = min((a for a in areas.values() if a.level == Area.Level.STREET), key=_code)
    communities = sorted((a for a in areas.values() if a.level == Area.Level.COMMUNITY), key=_code)
    specs = [
        ("worker" if i == 1 else f"worker{i:03d}", User.Role.SOCIAL_WORKER, community)
        for i, community in enumerate(communities, start=1)
    ]
    # Colleagues after every first worker, so the first workers keep their names and order.
    specs += [
        (f"worker{i:03d}{letter}", User.Role.SOCIAL_WORKER, community)
        for i, community in enumerate(communities, start=1)
        for letter in "bc"[: extra_workers(i)]
    ]
    return [
        *specs,
        ("street", User.Role.STREET_STAFF, street),
        ("admin", User.Role.DISTRICT_ADMIN, district),
        ("provider", User.Role.PROVIDER, district),
        ("auditor", User.Role.AUDITOR, district),
    ]


def _code(area: Area) -> str:
    return area.code


def ensure_users(areas: dict[str, Area]) -> DemoUsers:
    """Social workers (one to three per community), one street staff, admin, provider, auditor.

    Users that exist already are left as they are. All share one password hash: hashing is
    deliberately slow, and this is demo data.
    """
    specs = _user_specs(areas)
    existing = set(
        User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", flat=True)
    )
    rng = random.Random("zhulian-demo/users")
    password = make_password(DEMO_PASSWORD)
    new = [
        User(
            username=username,
            password=password,
            role=role,
            area=area,
            display_name=people.surname(rng) + people.given_name(rng, 1985, rng.choice("MF")),
            phone=people.mobile(rng),
            is_staff=role == User.Role.DISTRICT_ADMIN,
        )
        for username, role, area in specs
        if username not in existing
    ]
    User.objects.bulk_create(new)
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[s[0] for s in specs]).select_related("area")
    }
    admin = users.get("admin")
    if admin is not None and admin.role == User.Role.DISTRICT_ADMIN:
        admin.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="households", codename__in=_ADMIN_PERMISSIONS
            )
        )
    workers: dict[str, list[int]] = {}
    for username, role, area in specs:
        user = users.get(username)
        if role == User.Role.SOCIAL_WORKER and user is not None and user.area_id == area.pk:
            workers.setdefault(area.code, []).append(user.pk)
    return DemoUsers(
        admin_id=admin.pk if admin is not None else None,
        worker_by_community={code: ids[0] for code, ids in workers.items()},
        workers_by_community=workers,
        listed=_listed(specs),
        created=len(new),
    )


def _listed(specs: list[tuple[str, str, Area]]) -> list[tuple[str, str, str]]:
    """The first three workers and one user of every other role."""
    workers = [s for s in specs if s[1] == User.Role.SOCIAL_WORKER][:3]
    others = [s for s in specs if s[1] != User.Role.SOCIAL_WORKER]
    return [(u, User.Role(role).label, area.name) for u, role, area in [*workers, *others]]


def communities(areas: dict[str, Area], users: DemoUsers) -> list[Community]:
    """The communities of the tree with their grids, worker, size weight and places."""
    _specs, weights = area_specs()
    grids: dict[str, list[tuple[int, str]]] = {}
    for area in sorted(areas.values(), key=_code):
        if area.level == Area.Level.GRID and area.code[:12] in weights:
            grids.setdefault(area.code[:12], []).append((area.pk, area.prefix))
    return [
        Community(
            code=code,
            name=areas[code].name,
            grids=grids[code],
            worker_ids=users.workers_by_community.get(code, []),
            weight=weight,
            places=community_places(code),
        )
        for code, weight in weights.items()
    ]
