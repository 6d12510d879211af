"""Selectors that feed the engine: needs and candidate resources as plain data, in few queries.

These are raw SQL on purpose. The batch run reads tens of thousands of needs with their
household's categories and last help, and every resource that could serve them with its
units left and its provider's load; one statement each keeps that to a few hundred ms
(see docs/performance.md), where the ORM would build a model instance per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db import connection

from access.scope import ancestor_prefixes, like
from households.models import Enrolment, Household
from matching.engine import NeedIn, ResourceIn, Suggestion, describe, explain, rank
from matching.models import Need, Referral
from resources.models import Provider, Resource, ResourceUsage
from resources.periods import period_start

_NEED = Need._meta.db_table
_HOUSEHOLD = Household._meta.db_table
_ENROLMENT = Enrolment._meta.db_table
_REFERRAL = Referral._meta.db_table
_RESOURCE = Resource._meta.db_table
_PROVIDER = Provider._meta.db_table
_USAGE = ResourceUsage._meta.db_table

HELPED = ["delivered", "confirmed", "closed"]
LOADING = ["proposed", "accepted"]


@dataclass(frozen=True)
class CandidateInfo:
    """What a suggestion shows of its resource besides the engine's data."""

    uuid: UUID
    name: str
    kind: str
    pool_list: str
    unit: str
    provider_name: str


def period_starts(day: dt.date) -> dict[str, dt.date]:
    """Each capacity period's start on `day`, by period: the `%(week)s` … `%(total)s`
    parameters of statements that pick a resource's current period."""
    return {p: period_start(p, day) for p in Resource.Period.values}


# ---- needs -----------------------------------------------------------------------------

_CURRENT_ENROLMENT = (
    "e.status = 'approved' AND e.start_date <= %(today)s "
    "AND (e.end_date IS NULL OR e.end_date >= %(today)s)"
)

# One need: its household's categories and last help by correlated subqueries (index
# lookups for one household).
_ONE_NEED_SQL = f"""
SELECT n.id, n.type, n.subtype, h.area_code,
       ARRAY(SELECT e.category_id FROM {_ENROLMENT} e
             WHERE e.household_id = n.household_id AND {_CURRENT_ENROLMENT}),
       n.urgency, n.quantity,
       %(today)s - (SELECT max(x.delivered_on) FROM {_REFERRAL} x
                    WHERE x.household_id = n.household_id AND x.status = ANY(%(helped)s)),
       n.latitude, n.longitude,
       EXISTS(SELECT 1 FROM {_REFERRAL} y
              WHERE y.household_id = n.household_id AND y.status = 'accepted')
FROM {_NEED} n JOIN {_HOUSEHOLD} h ON h.id = n.household_id
WHERE n.id = %(id)s
"""  # noqa: S608

# Every open need of an area. Categories by an index lookup per need (the household's few
# enrolments): aggregating every household of the area first cost more than the rest of
# the statement. Last help is rare, so it is aggregated once and hash-joined.
_AREA_NEEDS_SQL = f"""
SELECT n.id, n.type, n.subtype, h.area_code,
       ARRAY(SELECT e.category_id FROM {_ENROLMENT} e
             WHERE e.household_id = n.household_id AND {_CURRENT_ENROLMENT}),
       n.urgency, n.quantity, %(today)s - helped.last, n.latitude, n.longitude,
       COALESCE(helped.serving, false)
FROM {_NEED} n
JOIN {_HOUSEHOLD} h ON h.id = n.household_id
LEFT JOIN (
    SELECT x.household_id,
           max(x.delivered_on) FILTER (WHERE x.status = ANY(%(helped)s)) AS last,
           bool_or(x.status = 'accepted') AS serving
    FROM {_REFERRAL} x JOIN {_HOUSEHOLD} xh ON xh.id = x.household_id
    WHERE xh.area_code LIKE %(prefix)s AND x.status = ANY(%(helped_or_serving)s)
    GROUP BY x.household_id
) helped ON helped.household_id = n.household_id
WHERE n.status = 'open' AND h.status = 'active' AND h.area_code LIKE %(prefix)s
"""  # noqa: S608


def _need_rows(sql: str, params: dict, *, today: dt.date) -> list[NeedIn]:
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                **params,
                "today": today,
                "helped": HELPED,
                "helped_or_serving": [*HELPED, "accepted"],
            },
        )
        rows = cursor.fetchall()
    # Households share a few category sets: one frozenset each, hashed once.
    sets: dict[tuple[str, ...], frozenset[str]] = {}
    needs = []
    for id_, type_, subtype, area_code, codes, urgency, quantity, days, lat, lng, busy in rows:
        key = tuple(sorted(codes)) if codes else ()
        categories = sets.get(key)
        if categories is None:
            categories = sets[key] = frozenset(key)
        needs.append(
            NeedIn(
                id_,
                type_,
                subtype,
                area_code,
                categories,
                urgency,
                quantity,
                days,
                float(lat) if lat is not None else None,
                float(lng) if lng is not None else None,
                busy,
            )
        )
    return needs


def need_input(need: Need, *, today: dt.date) -> NeedIn:
    """One need as the engine sees it (its household's categories and last help included)."""
    rows = _need_rows(_ONE_NEED_SQL, {"id": need.pk}, today=today)
    if not rows:
        raise ValueError("a need without a household has no candidates")
    return rows[0]


def open_needs_in(prefix: str, *, today: dt.date) -> list[NeedIn]:
    """Every open need of active households whose area code starts with `prefix`."""
    return _need_rows(_AREA_NEEDS_SQL, {"prefix": like(prefix)}, today=today)


# ---- resources -------------------------------------------------------------------------

_RESOURCES_SQL = f"""
WITH c AS (
    SELECT r.id, r.kind, r.area_code, r.need_types, r.need_subtypes, r.categories,
           r.capacity, r.stock, r.provider_id, r.latitude, r.longitude,
           r.uuid, r.name, r.pool_list, r.unit, p.name AS provider_name,
           CASE r.period WHEN 'week' THEN %(week)s::date WHEN 'month' THEN %(month)s::date
                         WHEN 'year' THEN %(year)s::date ELSE %(total)s::date END AS period
    FROM {_RESOURCE} r JOIN {_PROVIDER} p ON p.id = r.provider_id
    WHERE r.active AND p.active AND {{where}}
      AND (r.available_from IS NULL OR r.available_from <= %(today)s)
      AND (r.available_until IS NULL OR r.available_until >= %(today)s)
), load AS (
    SELECT x.provider_id, count(*) AS n FROM {_REFERRAL} x
    WHERE x.status = ANY(%(loading)s) AND x.provider_id IN (SELECT provider_id FROM c)
    GROUP BY x.provider_id
)
SELECT c.id, c.kind, c.area_code, c.need_types, c.need_subtypes, c.categories, c.capacity,
       c.stock, COALESCE(u.used, 0), c.provider_id, COALESCE(load.n, 0),
       c.latitude, c.longitude, c.uuid, c.name, c.pool_list, c.unit, c.provider_name
FROM c
LEFT JOIN {_USAGE} u ON u.resource_id = c.id AND u.period_start = c.period
LEFT JOIN load ON load.provider_id = c.provider_id
"""  # noqa: S608


def _resource_rows(
    where: str, params: dict, *, today: dt.date
) -> list[tuple[ResourceIn, CandidateInfo]]:
    with connection.cursor() as cursor:
        cursor.execute(
            _RESOURCES_SQL.format(where=where),
            {**params, **period_starts(today), "today": today, "loading": LOADING},
        )
        rows = cursor.fetchall()
    out = []
    for row in rows:
        kind, capacity, stock, used = row[1], row[6], row[7], row[8]
        if kind == Resource.Kind.SERVICE:
            remaining = max(0, (capacity or 0) - used)
        elif kind == Resource.Kind.GOODS:
            remaining = stock or 0
        else:
            remaining, capacity = None, None
        resource = ResourceIn(
            id=row[0],
            kind=kind,
            area_code=row[2],
            need_types=frozenset(row[3]),
            need_subtypes=frozenset(row[4]),
            categories=frozenset(row[5]),
            remaining=remaining,
            capacity=capacity if kind == Resource.Kind.SERVICE else None,
            provider_id=row[9],
            provider_load=row[10],
            lat=float(row[11]) if row[11] is not None else None,
            lng=float(row[12]) if row[12] is not None else None,
        )
        info = CandidateInfo(row[13], row[14], kind, row[15], row[16], row[17])
        out.append((resource, info))
    return out


def resources_for_need(need: NeedIn, *, today: dt.date) -> list[tuple[ResourceIn, CandidateInfo]]:
    """Resources that serve the need's area and type, available today: one statement.

    The served area of a candidate is the need's area or one above it, so its code is one of
    the need's prefixes: an equality on an indexed column, not a LIKE per resource.
    """
    prefixes = [*ancestor_prefixes(need.area_code), need.area_code]
    where = "r.area_code = ANY(%(prefixes)s) AND %(type)s = ANY(r.need_types)"
    return _resource_rows(where, {"prefixes": prefixes, "type": need.type}, today=today)


def resources_for_area(prefix: str, *, today: dt.date) -> list[ResourceIn]:
    """Resources that can serve any household under `prefix`: above it, or inside it."""
    where = "(r.area_code = ANY(%(above)s) OR r.area_code LIKE %(inside)s)"
    params = {"above": ancestor_prefixes(prefix), "inside": like(prefix)}
    return [resource for resource, _info in _resource_rows(where, params, today=today)]


def resource_input(resource_id: int, *, today: dt.date) -> ResourceIn | None:
    """One resource as the engine sees it, if it is active and available today."""
    rows = _resource_rows("r.id = %(id)s", {"id": resource_id}, today=today)
    return rows[0][0] if rows else None


@dataclass(frozen=True)
class SuggestionRow:
    """One ranked suggestion for a page or a response: the engine's result and its resource."""

    suggestion: Suggestion
    resource: ResourceIn
    info: CandidateInfo
    serving: bool = False  # the resource already serves the household for this need type

    @property
    def reasons(self) -> list[tuple[str, int]]:
        return [(reason.text, reason.points) for reason in self.suggestion.reasons]


def need_suggestions(
    need: Need, *, today: dt.date, limit: int = 10, include_serving: bool = False
) -> list[SuggestionRow]:
    """Ranked resources for an open need, leaving out those it is already referred to.

    Resources already serving the household for another need of the same type (a referral
    in progress) are left out too, unless `include_serving`: then they are kept and flagged,
    since a second referral to them is most often a duplicate.

    Three statements: the need with its household's categories and last help, the candidate
    resources with their units left and their providers' load, and the household's
    referrals in progress for this type of need.
    """
    if need.household_id is None or need.status not in Need.OPEN_STATUSES:
        return []
    wanted = need_input(need, today=today)
    candidates = resources_for_need(wanted, today=today)
    taken, serving = _in_progress(need)
    pool = {
        resource.id: (resource, info)
        for resource, info in candidates
        if resource.id not in taken and (include_serving or resource.id not in serving)
    }
    ranked = rank(wanted, [resource for resource, _info in pool.values()], limit=limit)
    return [
        SuggestionRow(s, *pool[s.resource_id], serving=s.resource_id in serving) for s in ranked
    ]


def _in_progress(need: Need) -> tuple[set[int], set[int]]:
    """The resources this need is referred to, and those serving another need of the same
    type in its household: one read by the household (referrals' indexed column)."""
    rows = Referral.objects.filter(
        household_id=need.household_id,
        status__in=Referral.ACTIVE_STATUSES,
        need__type=need.type,
    ).values_list("need_id", "resource_id")
    taken, serving = set(), set()
    for need_id, resource_id in rows:
        (taken if need_id == need.pk else serving).add(resource_id)
    return taken, serving - taken


def serving_resource_ids(need: Need) -> set[int]:
    """Resources with a referral in progress for another need of the same type in the need's
    household."""
    return _in_progress(need)[1]


def referral_reasons(referral: Referral, *, today: dt.date) -> list[tuple[str, int]]:
    """A referral's reasons in words with their points: those kept when it was proposed, or
    for a batch run's referral (which keeps only its score) worked out again from its need
    and resource as they are today."""
    if referral.reasons:
        return [(describe(code, arg), points) for code, points, arg in referral.reasons]
    resource = resource_input(referral.resource_id, today=today)
    if resource is None:
        return []
    return [
        (reason.text, reason.points)
        for reason in explain(need_input(referral.need, today=today), resource)
    ]
