"""Needs and resources panels (需求资源): needs by type and status, referrals, resource use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from access.scope import scope_prefix, serving
from dashboards.panels.common import (
    HOUSEHOLD_VERSION,
    Scope,
    cached_rows,
    ledger_link,
    month_start,
)
from ledgers.definitions import end_of_day

if TYPE_CHECKING:
    from dashboards.panels.common import Actor


@dataclass
class Needs:
    types: list[tuple[str, str]]
    statuses: list[tuple[str, str]]
    counts: dict[str, dict[str, int]]  # type → status → n
    urls: dict[str, dict[str, str]]
    total: int

    @property
    def table(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """Rows of (type label, [(count, drill-down url) per status])."""
        return [
            (label, [(self.counts[t][s], self.urls[t][s]) for s, _l in self.statuses])
            for t, label in self.types
        ]


_NEEDS = """
SELECT n.type, n.status, count(*)
  FROM matching_need n LEFT JOIN households_household h ON h.id = n.household_id
 WHERE h.area_code LIKE %(like)s OR (n.household_id IS NULL AND n.area_code LIKE %(like)s)
 GROUP BY 1, 2
"""


def needs(*, scope: Scope) -> Needs:
    """Needs by type and status (生存型/关爱型/发展型 × 待核实…已关闭)."""
    from matching.models import Need

    types = [(c, str(label)) for c, label in Need.Type.choices]
    statuses = [(c, str(label)) for c, label in Need.Status.choices]
    counts = {t: dict.fromkeys((s for s, _l in statuses), 0) for t, _l in types}
    total = 0
    version = (
        "(SELECT max(updated_at) FROM matching_need), (SELECT count(*) FROM matching_need), "  # noqa: S608
        + HOUSEHOLD_VERSION
    )
    (found,) = cached_rows("needs", version, (scope.area.prefix,), [(_NEEDS, {"like": scope.like})])
    for kind, status, n in found:
        if kind in counts and status in counts[kind]:
            counts[kind][status] = n
            total += n
    urls = {
        t: {s: ledger_link("needs", area=scope.area.code, type=t, status=s) for s, _l in statuses}
        for t, _l in types
    }
    return Needs(types=types, statuses=statuses, counts=counts, urls=urls, total=total)


@dataclass
class Referrals:
    by_status: list[tuple[str, str, int, str]]  # code, label, n, url
    by_outcome: list[tuple[str, str, int, str]]
    total: int


_REFERRALS = """
SELECT r.status, r.outcome, count(*), GROUPING(r.status), GROUPING(r.outcome)
  FROM matching_referral r JOIN households_household h ON h.id = r.household_id
 WHERE h.area_code LIKE %(like)s
 GROUP BY GROUPING SETS ((r.status), (r.outcome), ())
"""


def referrals(*, scope: Scope) -> Referrals:
    """Referrals by status, and by outcome of those confirmed on a follow-up (闭环)."""
    from matching.models import Referral

    status_n: dict[str, int] = {}
    outcome_n: dict[str, int] = {}
    total = 0
    version = (
        "(SELECT max(updated_at) FROM matching_referral), (SELECT count(*) FROM matching_referral)"
    )
    (found,) = cached_rows(
        "referrals", version, (scope.area.prefix,), [(_REFERRALS, {"like": scope.like})]
    )
    for status, outcome, n, g_status, g_outcome in found:
        if g_status and g_outcome:
            total = n
        elif not g_status:
            status_n[status] = n
        else:
            outcome_n[outcome] = n
    area = scope.area.code
    by_status = [
        (c, str(label), status_n.get(c, 0), ledger_link("referrals", area=area, status=c))
        for c, label in Referral.Status.choices
    ]
    outcomes = [*Referral.Outcome.choices, ("", _("未回访"))]
    by_outcome = [
        (
            c,
            str(label),
            outcome_n.get(c, 0),
            ledger_link("referrals", area=area, outcome=c or "none"),
        )
        for c, label in outcomes
    ]
    return Referrals(by_status=by_status, by_outcome=by_outcome, total=total)


@dataclass
class ResourceUse:
    name: str
    provider: str
    kind: str
    unit: str
    limit: int  # capacity of the period, or stock before this month's issues
    used: int
    url: str
    area: str = ""  # the area the resource serves (a community, street or the district)
    area_code: str = ""

    @property
    def percent(self) -> int:
        return min(100, round(self.used * 100 / self.limit)) if self.limit else 0


def resources(*, actor: Actor, scope: Scope, day: dt.date, limit: int = 20) -> list[ResourceUse]:
    """Services against their capacity this period, goods against stock: the fullest first.

    The resources are those of the pool the actor sees (resources.selectors), serving the
    chosen area, an area inside it or one above it (a district-wide resource serves all).
    """
    from django.db.models import IntegerField, OuterRef, Subquery, Sum
    from django.db.models.functions import Coalesce

    from resources.models import Resource, StockMovement
    from resources.selectors import resource_qs_visible_to, with_remaining

    prefix = scope.area.prefix
    since = end_of_day(month_start(day) - dt.timedelta(days=1))
    given = (
        StockMovement.objects.filter(
            resource=OuterRef("pk"), kind=StockMovement.Kind.GIVEN, created_at__gte=since
        )
        .order_by()
        .values("resource")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    kinds = [Resource.Kind.SERVICE, Resource.Kind.GOODS]
    fields = ("uuid", "name", "provider__name", "kind", "unit", "capacity", "stock", "area__name")
    fields = (*fields, "area_code")
    qs = with_remaining(
        resource_qs_visible_to(actor=actor).filter(
            serving("area_code", prefix), active=True, kind__in=kinds
        ),
        day=day,
    ).annotate(given_month=Coalesce(Subquery(given, output_field=IntegerField()), 0))
    qs = qs.values_list(*fields, "used_now", "given_month").order_by("-used_now", "name")
    sql, params = qs[: limit * 3].query.sql_with_params()
    version = (
        "(SELECT max(updated_at) FROM resources_resource), "
        "(SELECT coalesce(sum(used), 0) FROM resources_resourceusage), "
        "(SELECT max(id) FROM resources_stockmovement)"
    )
    # Keyed by the actor's own scope too: the pool they see is theirs (a provider's own).
    key = (scope_prefix(actor), getattr(actor, "role", ""), prefix, day, limit)
    (rows,) = cached_rows("resources", version, key, [(sql, list(params))])
    result = []
    for uuid, name, provider, kind, unit, capacity, stock, area, code, used_now, given in rows:
        if kind == Resource.Kind.SERVICE:
            use = ResourceUse(name, provider, str(_("服务")), unit, capacity or 0, used_now, "")
        else:
            use = ResourceUse(name, provider, str(_("物资")), unit, (stock or 0) + given, given, "")
        # The referrals counted in 已用, wherever their households are: the actor's scope
        # still decides which of them the list shows (all, for a resource inside the area).
        use.url = ledger_link("referrals", resource=uuid, held=day.isoformat())
        use.area, use.area_code = area, code
        result.append(use)
    result.sort(key=lambda r: (-r.percent, -r.used, r.name))
    # The fullest `limit`, shown by community (or street, district) and provider, as an office
    # reads them: whose room or pantry is running short.
    return sorted(result[:limit], key=lambda r: (r.area_code, r.provider, -r.percent, r.name))
