"""The matching engine: plain data in, ranked suggestions and assignments with reasons out.

No database here. Selectors load `NeedIn` and `ResourceIn`; services persist what comes out.

A resource is a candidate for a need when it meets the need's type (and its subtype, if the
resource lists subtypes), serves the household's area, is open to the household's categories
(or to everyone) and has units left. Candidates are scored by points, each with its reason:

  fit         对口 the exact subtype 30, or any need of the type 15
  eligibility 符合对象 a category the household is in 20, or open to everyone 5
  nearness    the ten-minute circle: same grid 40, community 30, street 20, district 10,
              plus up to 8 by distance where both have coordinates (full within 1 km)
  supply      units left: up to 10 (a policy: 5, it has no limit)
  load        the provider's open referrals: 5 when none, down to −10
  urgency     危急 20, 紧急 12, 较急 6, 一般 0
  fairness    never helped 10, not for half a year 8, a quarter 5, a month 2

Urgency and fairness are the same for every candidate of one need: they rank needs against
each other, which is what the batch run (`allocate`) uses them for.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from resources.vocabulary import CATEGORY_LABELS, NeedSubtype, NeedType

ANY = "*"
LEVELS = (15, 12, 9, 6)  # grid, community, street, district: prefix lengths of area codes
LEVEL_POINTS = {15: 40, 12: 30, 9: 20, 6: 10}
SUBTYPE_POINTS = 30
TYPE_POINTS = 15
CATEGORY_POINTS = 20
OPEN_POINTS = 5
DISTANCE_POINTS = 8
DISTANCE_FULL_KM = 1.0  # about ten minutes on foot
DISTANCE_ZERO_KM = 5.0
SUPPLY_POINTS = 10
POLICY_POINTS = 5
URGENCY_POINTS = {1: 0, 2: 6, 3: 12, 4: 20}
FAIRNESS_BANDS = ((180, 8), (90, 5), (30, 2))
NEVER_HELPED_POINTS = 10
MAX_OWN_POINTS = SUPPLY_POINTS + 5  # the most supply and load give a resource


@dataclass(slots=True)
class NeedIn:
    id: int
    type: str
    subtype: str
    area_code: str  # the household's area prefix: a community (12) or a grid (15)
    categories: frozenset[str] = frozenset()
    urgency: int = 2
    quantity: int = 1
    days_since_helped: int | None = None  # None: no help delivered yet
    lat: float | None = None
    lng: float | None = None
    being_helped: bool = False  # a referral of the household is accepted, not yet delivered


@dataclass(slots=True)
class ResourceIn:
    id: int
    kind: str  # policy, service or goods
    area_code: str  # the served area's prefix
    need_types: frozenset[str]
    need_subtypes: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    remaining: int | None = None  # None: no limit (a policy)
    capacity: int | None = None  # a service's units per period
    provider_id: int = 0
    provider_load: int = 0
    lat: float | None = None
    lng: float | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """One part of a score: a code, its points, and what it is about (for the text)."""

    code: str
    points: int
    arg: str | int | float | None = None

    @property
    def text(self) -> str:
        return describe(self.code, self.arg)

    def as_json(self) -> list:
        return [self.code, self.points, self.arg]


@dataclass(slots=True)
class Suggestion:
    resource_id: int
    score: int
    reasons: list[Reason] = field(default_factory=list)


@dataclass(slots=True)
class Assignment:
    need_id: int
    resource_id: int
    quantity: int
    score: int


# ---- the parts of a score --------------------------------------------------------------


def is_candidate(need: NeedIn, resource: ResourceIn) -> bool:
    """Whether the resource can serve the need at all (units left included)."""
    return (
        need.type in resource.need_types
        and (not resource.need_subtypes or need.subtype in resource.need_subtypes)
        and need.area_code.startswith(resource.area_code)
        and (not resource.categories or not resource.categories.isdisjoint(need.categories))
        and (resource.remaining is None or resource.remaining >= need.quantity)
    )


def _fit(need: NeedIn, resource: ResourceIn) -> Reason:
    if resource.need_subtypes:
        return Reason("subtype", SUBTYPE_POINTS, need.subtype)
    return Reason("type", TYPE_POINTS, need.type)


def _eligibility(need: NeedIn, resource: ResourceIn) -> Reason:
    shared = sorted(resource.categories & need.categories)
    if shared:
        return Reason("category", CATEGORY_POINTS, ",".join(shared))
    return Reason("open", OPEN_POINTS)


def _level(resource: ResourceIn) -> int:
    return len(resource.area_code)


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _distance_points(km: float) -> int:
    if km <= DISTANCE_FULL_KM:
        return DISTANCE_POINTS
    if km >= DISTANCE_ZERO_KM:
        return 0
    share = (DISTANCE_ZERO_KM - km) / (DISTANCE_ZERO_KM - DISTANCE_FULL_KM)
    return round(DISTANCE_POINTS * share)


def _distance(need: NeedIn, resource: ResourceIn) -> Reason | None:
    if None in (need.lat, need.lng, resource.lat, resource.lng):
        return None
    km = distance_km(need.lat, need.lng, resource.lat, resource.lng)  # type: ignore[arg-type]
    return Reason("distance", _distance_points(km), round(km, 1))


def supply_points(resource: ResourceIn) -> int:
    if resource.remaining is None:
        return POLICY_POINTS
    if resource.capacity:
        return round(SUPPLY_POINTS * min(1.0, resource.remaining / resource.capacity))
    return SUPPLY_POINTS if resource.remaining >= 10 else resource.remaining


def _supply(resource: ResourceIn) -> Reason:
    points = supply_points(resource)
    if resource.remaining is None:
        return Reason("unlimited", points)
    if resource.capacity:
        return Reason("capacity", points, f"{resource.remaining}/{resource.capacity}")
    return Reason("stock", points, resource.remaining)


def load_points(load: int) -> int:
    if load <= 0:
        return 5
    if load < 10:
        return 2
    if load < 50:
        return 0
    if load < 200:
        return -5
    return -10


def urgency_points(need: NeedIn) -> int:
    return URGENCY_POINTS.get(need.urgency, 0)


def fairness_points(need: NeedIn) -> int:
    if need.days_since_helped is None:
        # Help under way is help: only a household that has none comes first as never helped.
        return 0 if need.being_helped else NEVER_HELPED_POINTS
    for days, points in FAIRNESS_BANDS:
        if need.days_since_helped > days:
            return points
    return 0


def resource_points(resource: ResourceIn) -> int:
    """The part of every score that depends on the resource alone."""
    return supply_points(resource) + load_points(resource.provider_load)


def explain(need: NeedIn, resource: ResourceIn) -> list[Reason]:
    """Every reason of the pair's score, in the order a worker reads them."""
    reasons = [
        _fit(need, resource),
        _eligibility(need, resource),
        Reason(f"level{_level(resource)}", LEVEL_POINTS[_level(resource)]),
    ]
    near = _distance(need, resource)
    if near is not None:
        reasons.append(near)
    reasons += [
        _supply(resource),
        Reason("load", load_points(resource.provider_load), resource.provider_load),
        Reason("urgency", urgency_points(need), need.urgency),
        _fairness(need),
    ]
    return reasons


def _fairness(need: NeedIn) -> Reason:
    if need.days_since_helped is None and need.being_helped:
        return Reason("being_helped", fairness_points(need))
    return Reason("fairness", fairness_points(need), need.days_since_helped)


def score(need: NeedIn, resource: ResourceIn) -> int:
    return sum(reason.points for reason in explain(need, resource))


def rank(need: NeedIn, resources: Iterable[ResourceIn], *, limit: int = 10) -> list[Suggestion]:
    """The best candidates for one need, best first (ties: the lower resource id first)."""
    suggestions = []
    for resource in resources:
        if is_candidate(need, resource):
            reasons = explain(need, resource)
            suggestions.append(Suggestion(resource.id, sum(r.points for r in reasons), reasons))
    suggestions.sort(key=lambda s: (-s.score, s.resource_id))
    return suggestions[:limit]


def priority_key(need: NeedIn, alternatives: int = 0) -> tuple[int, int, int, int]:
    """Which need is served first: the most urgent, then the least helped lately, then the
    one with the fewest alternatives (so scarce units go where nothing else would do), then
    the oldest."""
    return (-need.urgency, -fairness_points(need), alternatives, need.id)


# ---- the batch run ---------------------------------------------------------------------


class _Bucket:
    """Resources sharing an area, a need type, a subtype (or ANY) and a category (or ANY).

    Within one bucket the fit, eligibility and nearness points are the same (`points`), so
    the bucket is sorted once by the resources' own points and a need reads only its head.
    Units only ever run out during a run, so the head skips exhausted resources for good.
    """

    __slots__ = ("entries", "head", "points")

    def __init__(self, points: int) -> None:
        self.points = points
        self.entries: list[tuple[int, ResourceIn]] = []
        self.head = 0


class _Index:
    """Buckets by area prefix → need type → subtype or ANY → category or ANY."""

    def __init__(self, resources: Iterable[ResourceIn]) -> None:
        self.tree: dict[str, dict[str, dict[str, dict[str, _Bucket]]]] = {}
        # Needs of one grid with the same kind and categories share their buckets.
        self._seen: dict[tuple[str, str, str, frozenset[str]], list[_Bucket]] = {}
        # How many resources each bucket list holds (a need's alternatives), by list identity.
        self.sizes: dict[int, int] = {}
        buckets = []
        for resource in resources:
            if resource.remaining is not None and resource.remaining <= 0:
                continue
            own = resource_points(resource)
            level = LEVEL_POINTS.get(len(resource.area_code), 0)
            by_type = self.tree.setdefault(resource.area_code, {})
            for need_type in resource.need_types:
                by_subtype = by_type.setdefault(need_type, {})
                for subtype in resource.need_subtypes or (ANY,):
                    fit = TYPE_POINTS if subtype == ANY else SUBTYPE_POINTS
                    by_category = by_subtype.setdefault(subtype, {})
                    for category in resource.categories or (ANY,):
                        bucket = by_category.get(category)
                        if bucket is None:
                            eligible = OPEN_POINTS if category == ANY else CATEGORY_POINTS
                            bucket = by_category[category] = _Bucket(level + fit + eligible)
                            buckets.append(bucket)
                        bucket.entries.append((own, resource))
        for bucket in buckets:
            bucket.entries.sort(key=lambda e: (-e[0], e[1].id))

    def buckets_for(self, need: NeedIn) -> list[_Bucket]:
        """The buckets that can serve the need, highest constant points first."""
        key = (need.area_code, need.type, need.subtype, need.categories)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = self._find(need)
            self.sizes[id(found)] = sum(len(b.entries) for b in found)
        return found

    def _find(self, need: NeedIn) -> list[_Bucket]:
        found = []
        code = need.area_code
        for level in LEVELS:
            if level > len(code):
                continue
            by_type = self.tree.get(code[:level])
            by_subtype = by_type.get(need.type) if by_type else None
            if not by_subtype:
                continue
            for subtype in (need.subtype, ANY):
                by_category = by_subtype.get(subtype)
                if not by_category:
                    continue
                bucket = by_category.get(ANY)
                if bucket is not None:
                    found.append(bucket)
                for category in need.categories:
                    bucket = by_category.get(category)
                    if bucket is not None:
                        found.append(bucket)
        found.sort(key=lambda b: -b.points)
        return found

    @staticmethod
    def best(need: NeedIn, buckets: list[_Bucket]) -> tuple[ResourceIn, int] | None:
        """The highest-scoring resource with units enough for the need, and its pair points."""
        best: ResourceIn | None = None
        best_points = -(10**9)
        located = need.lat is not None and need.lng is not None
        slack = DISTANCE_POINTS if located else 0
        for bucket in buckets:
            if bucket.points + MAX_OWN_POINTS + slack < best_points:
                break  # no resource of this or a later bucket can do better
            entries = bucket.entries
            head = bucket.head
            while head < len(entries) and _exhausted(entries[head][1]):
                head += 1
            bucket.head = head
            for own, resource in entries[head:] if head else entries:
                total = bucket.points + own
                if total + slack < best_points:
                    break
                if resource.remaining is not None and resource.remaining < need.quantity:
                    continue
                if located and resource.lat is not None:
                    near = _distance(need, resource)
                    total += near.points if near else 0
                if total > best_points or (
                    total == best_points and best is not None and resource.id < best.id
                ):
                    best, best_points = resource, total
                if not slack:
                    break
        return None if best is None else (best, best_points)


def _exhausted(resource: ResourceIn) -> bool:
    return resource.remaining is not None and resource.remaining <= 0


def allocate(needs: Sequence[NeedIn], resources: Iterable[ResourceIn]) -> list[Assignment]:
    """Assign each need at most one resource, never more units than a resource has left.

    Greedy in priority order (`priority_key`): each need takes its best-scoring candidate that
    still has units. The resources passed in are changed: their `remaining` goes down.
    """
    index = _Index(resources)
    plans = [(need, index.buckets_for(need)) for need in needs]
    sizes = index.sizes
    plans.sort(key=lambda plan: priority_key(plan[0], sizes[id(plan[1])]))
    assignments = []
    for need, buckets in plans:
        if not buckets:
            continue
        found = index.best(need, buckets)
        if found is None:
            continue
        resource, pair_points = found
        if resource.remaining is not None:
            resource.remaining -= need.quantity
        total = pair_points + urgency_points(need) + fairness_points(need)
        assignments.append(Assignment(need.id, resource.id, need.quantity, total))
    return assignments


# ---- what a reason says ----------------------------------------------------------------


def describe(code: str, arg: str | int | float | None = None) -> str:
    """A reason in words, in the current language (reasons are stored as codes)."""
    if code == "subtype":
        return _("对口“%(subtype)s”需求") % {"subtype": _label(NeedSubtype, arg)}
    if code == "type":
        return _("可满足%(type)s需求") % {"type": _label(NeedType, arg)}
    if code == "category":
        names = "、".join(str(CATEGORY_LABELS.get(c, c)) for c in str(arg).split(","))
        return _("符合对象：%(categories)s") % {"categories": names}
    if code == "open":
        return _("面向所有困难群众")
    if code.startswith("level"):
        return _LEVEL_TEXT.get(code, lambda: code)()
    if code == "distance":
        within = _("（十分钟服务圈内）") if float(arg or 0) <= DISTANCE_FULL_KM else ""
        return _("距离约%(km)s公里%(within)s") % {"km": arg, "within": within}
    if code == "capacity":
        return _("本期剩余名额 %(left)s") % {"left": arg}
    if code == "stock":
        return _("库存 %(n)s") % {"n": arg}
    if code == "unlimited":
        return _("政策性资源，不限名额")
    if code == "load":
        return _("服务方在办转介 %(n)s 件") % {"n": arg}
    if code == "urgency":
        return _URGENCY_TEXT.get(int(arg or 0), lambda: "")()
    if code == "being_helped":
        return _("本户正在接受帮扶（转介办理中）")
    if code == "fairness":
        if arg is None:
            return _("此前未获帮扶，优先")
        return _("距上次获帮扶 %(days)s 天") % {"days": arg}
    return code


def _label(choices: type, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


_LEVEL_TEXT = {
    "level15": lambda: _("同网格资源（十分钟服务圈）"),
    "level12": lambda: _("本社区资源"),
    "level9": lambda: _("本街道资源"),
    "level6": lambda: _("区级资源"),
}
_URGENCY_TEXT = {
    1: lambda: _("一般需求"),
    2: lambda: _("较急需求"),
    3: lambda: _("紧急需求，优先安排"),
    4: lambda: _("危急需求，立即安排"),
}
