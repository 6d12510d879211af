"""The caseload dashboard (数据看板): one selector per panel, each a few GROUP BY queries.

Scope: every panel takes an `Area` that came from `dashboard_area()`, which looks it up
through households.selectors.area_get (the scoped root of areas: 404 when it is outside the
actor's area) and refuses roles that read no registry rows. Filtering by that area's prefix
therefore never widens the actor's scope. Reads go to the replica (`reading_from_replica`).

Counting (the category table, as a street office reports it: "低保 85户146人，特困 277人…"):
- an enrolment is active on day D by `households.ledgers.enrolment_active_on` (approved or
  since ended, start ≤ D ≤ end; a suspended one until the day before its suspension);
- 户 = distinct households with an active enrolment of the category; 人 = distinct members
  covered (Enrolment.members; a 特困 enrolment covers its one person), so a person covered
  by two enrolments counts once per category and once in the total;
- a household is counted in the area it was registered in on D: for a past date, households
  whose area changed since D are placed by their history (HouseholdEvent) instead.
Monthly changes (month of D, up to D): new = active enrolments starting in the month;
suspended = suspensions decided in the month; ended = enrolments whose last day fell in it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db import connections, router
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.db_router import reading_from_replica
from core.ledgers.definitions import end_of_day
from households.models import PREFIX_LENGTH, Area, Category, Household, User
from households.roles import Can, can
from households.scope import scope_prefix
from households.selectors import area_qs_visible_to, category_list

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser | None

CHILD_LEVEL = {"district": "street", "street": "community", "community": "grid"}
DIRECT = ""  # the key of rows registered directly in the area, not in one of its children


# ---- the area and its children ----------------------------------------------------------


@dataclass(frozen=True)
class AreaRef:
    code: str
    name: str
    prefix: str


@dataclass
class Scope:
    """The chosen area, its children, and how a household's code maps to a child."""

    area: Area
    children: list[AreaRef]
    child_length: int  # characters of a code that name the child (0: no children)
    choices: list[Area] = field(default_factory=list)  # areas the actor may switch to

    @property
    def like(self) -> str:
        return self.area.prefix + "%"

    def child_of(self, key: str) -> AreaRef | None:
        return self._by_prefix.get(key)

    def __post_init__(self) -> None:
        self._by_prefix = {child.prefix: child for child in self.children}


def may_view_dashboard(actor: Actor) -> bool:
    return can(actor, Can.VIEW_REGISTRY)


def dashboard_area(*, actor: Actor, code: str | None = None) -> Scope:
    """The area to show (the actor's own by default), its children and the areas the actor
    may switch to, in one query; 404 when the area is out of scope or the role reads none."""
    if not may_view_dashboard(actor) or actor.area_id is None:
        raise Http404
    code = code or actor.area.code
    found = list(
        area_qs_visible_to(actor=actor)
        .filter(~Q(level=Area.Level.GRID) | Q(code=code) | Q(parent__code=code))
        .order_by("code")
    )
    area = next((a for a in found if a.code == code), None)
    if area is None:
        raise Http404
    level = CHILD_LEVEL.get(area.level)
    children = [AreaRef(a.code, a.name, a.prefix) for a in found if a.parent_id == area.pk]
    return Scope(
        area=area,
        children=children if level else [],
        child_length=PREFIX_LENGTH[level] if level else 0,
        choices=[a for a in found if a.level != Area.Level.GRID],
    )


def _categories() -> list[Category]:
    """The five categories (reference data), kept for a few minutes per process."""
    now = time.monotonic()
    if _category_cache and now - _category_cache[0] < 300:
        return _category_cache[1]
    _category_cache[:] = [now, list(category_list())]
    return _category_cache[1]


_category_cache: list[Any] = []


def _rows(sql: str, params: dict[str, Any]) -> list[tuple]:
    with reading_from_replica():
        alias = router.db_for_read(Household)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


# ---- the cache in front of the GROUP BYs ----------------------------------------------------
# A panel's numbers change only when its rows change or the day does. Each panel names a
# cheap "version" query (the newest history event, the newest row, an open count) read on
# every request; the GROUP BY's rows are cached under the area, the day and that version,
# so a page after any write recomputes them and every other page is a cache read. The TTL
# bounds staleness from writes a version cannot see (a bulk UPDATE that keeps every count).
CACHE_SECONDS = 600
CACHE_ENABLED = True  # the benchmark turns it off to time the GROUP BYs cold
_REGISTRY_VERSION = (
    "(SELECT max(pgh_id) FROM households_enrolmentevent), "
    "(SELECT max(pgh_id) FROM households_householdevent), "
    "(SELECT max(id) FROM households_enrolment_members)"
)
_HOUSEHOLD_VERSION = "(SELECT max(pgh_id) FROM households_householdevent)"


def _cached_rows(
    panel: str, version_sql: str, key: tuple[Any, ...], queries: list[tuple[str, dict[str, Any]]]
) -> list[list[tuple]]:
    from django.core.cache import cache

    from core import cache as shared

    version = _rows(f"SELECT {version_sql}", {})[0]
    raw = ":".join(str(part) for part in (*key, *version))
    cache_key = f"dashboard:{panel}:{hashlib.sha256(raw.encode()).hexdigest()}"
    # Through core.cache: with Redis down the panel is computed, not a 500.
    found = shared.call(cache.get, cache_key) if CACHE_ENABLED else None
    if found is None:
        found = [_rows(sql, params) for sql, params in queries]
        shared.call(cache.set, cache_key, found, CACHE_SECONDS)
    return found


def _child_sql(column: str, scope: Scope) -> str:
    """SQL naming a row's child area (its code cut to the child's length), '' if direct."""
    if not scope.child_length:
        return "''"
    n = scope.child_length
    return f"CASE WHEN length({column}) >= {n} THEN substr({column}, 1, {n}) ELSE '' END"


def _link(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _ledger_link(ledger: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse('ledgers:rows', args=[ledger])}?{query}"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


# ---- the category table (救助对象) ---------------------------------------------------------


@dataclass
class Cell:
    households: int = 0
    persons: int = 0
    url: str = ""


@dataclass
class CaseloadRow:
    code: str
    name: str
    cells: dict[str, Cell]
    total: Cell
    url: str = ""


@dataclass
class Caseload:
    scope: Scope
    day: dt.date
    categories: list[Category]
    area_row: CaseloadRow
    rows: list[CaseloadRow]
    changes: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """ "低保 85户146人，低边 9户23人，特困 277人，…", as a street office writes it."""
        parts = []
        for category in self.categories:
            cell = self.area_row.cells[category.code]
            if category.per_person:
                parts.append(_("%(c)s %(p)d人") % {"c": category.name, "p": cell.persons})
            else:
                parts.append(
                    _("%(c)s %(h)d户%(p)d人")
                    % {"c": category.name, "h": cell.households, "p": cell.persons}
                )
        return "，".join(parts)


_HOUSEHOLDS_NOW = (
    "SELECT h.id, h.area_code AS code FROM households_household h WHERE h.area_code LIKE %(like)s"
)
# For a past day: households whose history changed since then are placed where they were.
_HOUSEHOLDS_THEN = """
SELECT h.id, COALESCE(m.area_code, h.area_code) AS code
  FROM households_household h
  LEFT JOIN (
    SELECT DISTINCT ON (ev.pgh_obj_id) ev.pgh_obj_id AS id, ev.area_code
      FROM households_householdevent ev
     WHERE ev.pgh_created_at < %(cutoff)s
       AND ev.pgh_obj_id IN (SELECT e2.pgh_obj_id FROM households_householdevent e2
                              WHERE e2.pgh_created_at >= %(cutoff)s)
     ORDER BY ev.pgh_obj_id, ev.pgh_id DESC
  ) m ON m.id = h.id
 WHERE COALESCE(m.area_code, h.area_code) LIKE %(like)s
"""
_CASELOAD = """
WITH hh AS ({households}),
act AS (
  SELECT e.id, e.category_id, e.household_id, hh.code
    FROM households_enrolment e JOIN hh ON hh.id = e.household_id
   WHERE e.start_date <= %(day)s AND (e.end_date IS NULL OR e.end_date >= %(day)s)
     AND (e.status IN ('approved', 'ended')
          OR (e.status = 'suspended' AND e.decided_at >= %(cutoff)s))
),
people AS (
  SELECT {child} AS child, act.category_id, act.household_id, em.member_id
    FROM act JOIN households_enrolment_members em ON em.enrolment_id = act.id
)
SELECT child, category_id, count(DISTINCT household_id), count(DISTINCT member_id),
       GROUPING(child), GROUPING(category_id)
  FROM people
 GROUP BY GROUPING SETS ((child, category_id), (category_id), (child), ())
"""
_CHANGES = """
SELECT {child} AS child, e.category_id,
       count(*) FILTER (WHERE e.status IN ('approved', 'suspended', 'ended')
                          AND e.start_date BETWEEN %(m0)s AND %(day)s),
       count(*) FILTER (WHERE e.status = 'suspended'
                          AND e.decided_at >= %(m0_at)s AND e.decided_at < %(cutoff)s),
       count(*) FILTER (WHERE e.status IN ('approved', 'ended')
                          AND e.end_date BETWEEN %(m0)s AND %(day)s),
       GROUPING({child})
  FROM households_enrolment e JOIN households_household h ON h.id = e.household_id
 WHERE h.area_code LIKE %(like)s
   AND (e.start_date BETWEEN %(m0)s AND %(day)s OR e.end_date BETWEEN %(m0)s AND %(day)s
        OR e.decided_at >= %(m0_at)s)
 GROUP BY GROUPING SETS (({child}, e.category_id), (e.category_id))
"""


def caseload(*, scope: Scope, day: dt.date) -> Caseload:
    """The category table of the area and each child on `day`, and the month's changes."""
    categories = _categories()
    cutoff = end_of_day(day)
    past = cutoff <= timezone.now()
    params = {"like": scope.like, "day": day, "cutoff": cutoff}
    households = _HOUSEHOLDS_THEN if past else _HOUSEHOLDS_NOW
    sql = _CASELOAD.format(households=households, child=_child_sql("act.code", scope))
    changes_sql, changes_params = _changes_query(scope, day)
    found, changes_rows = _cached_rows(
        "caseload",
        _REGISTRY_VERSION,
        (scope.area.prefix, scope.child_length, day),
        [(sql, params), (changes_sql, changes_params)],
    )
    cells: dict[tuple[str | None, str | None], Cell] = {}
    for child, code, hh, persons, g_child, g_code in found:
        cells[(None if g_child else child, None if g_code else code)] = Cell(hh, persons)
    result = Caseload(
        scope=scope,
        day=day,
        categories=categories,
        area_row=_caseload_row(scope.area.code, scope.area.name, None, cells, categories, day),
        rows=[
            _caseload_row(c.code, c.name, c.prefix, cells, categories, day) for c in scope.children
        ],
    )
    if (DIRECT, None) in cells and scope.children:
        result.rows.append(
            _caseload_row(scope.area.code, _("（直属）"), DIRECT, cells, categories, day)
        )
    result.changes = {c.code: {"new": 0, "suspended": 0, "ended": 0} for c in categories}
    for _child, code, new, suspended, ended, g_child in changes_rows:
        if g_child:
            result.changes[code] = {"new": new, "suspended": suspended, "ended": ended}
    return result


def _caseload_row(
    code: str,
    name: str,
    key: str | None,
    cells: dict[tuple[str | None, str | None], Cell],
    categories: list[Category],
    day: dt.date,
) -> CaseloadRow:
    row = CaseloadRow(
        code=code,
        name=name,
        cells={c.code: cells.get((key, c.code), Cell()) for c in categories},
        total=cells.get((key, None), Cell()),
        url=_link("households:list", area=code),
    )
    for category in categories:
        row.cells[category.code].url = _link("households:list", area=code, category=category.code)
    return row


def _changes_query(scope: Scope, day: dt.date) -> tuple[str, dict[str, Any]]:
    m0 = month_start(day)
    params = {
        "like": scope.like,
        "day": day,
        "m0": m0,
        "m0_at": end_of_day(m0 - dt.timedelta(days=1)),
        "cutoff": end_of_day(day),
    }
    return _CHANGES.format(child=_child_sql("h.area_code", scope)), params


# ---- follow-ups, visits, alerts, services (走访跟进) ---------------------------------------


@dataclass
class FollowUpCounts:
    key: str
    name: str
    overdue: int = 0
    upcoming: int = 0
    on_time: int = 0
    late: int = 0
    overdue_url: str = ""

    @property
    def on_time_rate(self) -> int | None:
        done = self.on_time + self.late
        return round(self.on_time * 100 / done) if done else None


@dataclass
class FollowUps:
    total: FollowUpCounts
    by_area: list[FollowUpCounts]
    by_worker: list[FollowUpCounts]


_FOLLOWUPS = """
SELECT {child} AS child, f.assignee_id,
       count(*) FILTER (WHERE f.status = 'open' AND f.due < %(day)s),
       count(*) FILTER (WHERE f.status = 'open' AND f.due >= %(day)s),
       count(*) FILTER (WHERE f.status = 'done' AND f.completed_at >= %(m0_at)s
                          AND f.completed_at < %(cutoff)s
                          AND (f.completed_at AT TIME ZONE %(tz)s)::date <= f.due),
       count(*) FILTER (WHERE f.status = 'done' AND f.completed_at >= %(m0_at)s
                          AND f.completed_at < %(cutoff)s
                          AND (f.completed_at AT TIME ZONE %(tz)s)::date > f.due),
       GROUPING({child}), GROUPING(f.assignee_id)
  FROM cases_followup f JOIN households_household h ON h.id = f.household_id
 WHERE h.area_code LIKE %(like)s AND (f.status = 'open' OR f.completed_at >= %(m0_at)s)
 GROUP BY GROUPING SETS (({child}), (f.assignee_id), ())
"""


def followups(*, scope: Scope, day: dt.date) -> FollowUps:
    """Open follow-ups overdue or upcoming on `day`, and those done this month on time or
    late, for the area, each child and each assignee (one GROUP BY, one query for names)."""
    from django.conf import settings

    params = {
        "like": scope.like,
        "day": day,
        "m0_at": end_of_day(month_start(day) - dt.timedelta(days=1)),
        "cutoff": end_of_day(day),
        "tz": settings.TIME_ZONE,
    }
    sql = _FOLLOWUPS.format(child=_child_sql("h.area_code", scope))
    total = FollowUpCounts("", scope.area.name)
    by_area: dict[str, FollowUpCounts] = {}
    by_worker: dict[int | None, FollowUpCounts] = {}
    version = (
        "(SELECT max(updated_at) FROM cases_followup), (SELECT max(id) FROM cases_followup), "  # noqa: S608 (fixed text)
        "(SELECT count(*) FROM cases_followup WHERE status = 'open'), " + _HOUSEHOLD_VERSION
    )
    (found,) = _cached_rows(
        "followups", version, (scope.area.prefix, scope.child_length, day), [(sql, params)]
    )
    for child, worker, *counts, g_child, g_worker in found:
        if g_child and g_worker:
            target = total
        elif not g_child:
            target = by_area.setdefault(child, FollowUpCounts(child, ""))
        else:
            target = by_worker.setdefault(worker, FollowUpCounts(str(worker or ""), ""))
        target.overdue, target.upcoming, target.on_time, target.late = counts
    total.overdue_url = _ledger_link("followups", area=scope.area.code, overdue="true")
    people = User.objects.filter(pk__in=[k for k in by_worker if k]).only(
        "pk", "username", "display_name"
    )
    names = {u.pk: (str(u), u.username) for u in people}
    for worker, counts in by_worker.items():
        name, username = names.get(worker, (_("（未分配）"), "none")) if worker else ("", "none")
        counts.name = name or _("（未分配）")
        counts.overdue_url = _ledger_link(
            "followups", area=scope.area.code, overdue="true", assignee=username
        )
    areas = _area_rows(scope, by_area)
    for counts in areas:
        counts.overdue_url = _ledger_link("followups", area=counts.key, overdue="true")
    workers = sorted(by_worker.values(), key=lambda c: (-c.overdue, c.name))
    return FollowUps(total=total, by_area=areas, by_worker=workers)


def _area_rows(scope: Scope, by_key: dict[str, Any]) -> list[Any]:
    """The children in code order (named, keyed by their code), then rows in no child."""
    rows = []
    for child in scope.children:
        counts = by_key.get(child.prefix)
        if counts is not None:
            counts.key, counts.name = child.code, child.name
            rows.append(counts)
    direct = by_key.get(DIRECT)
    if direct is not None and scope.children:
        direct.key, direct.name = scope.area.code, _("（直属）")
        rows.append(direct)
    return rows


@dataclass
class Visits:
    methods: list[tuple[str, str]]  # (code, label)
    months: list[dt.date]
    by_month: dict[str, list[int]]  # method → counts per month (the trend)
    this_month: dict[str, int]
    this_month_urls: dict[str, str]

    @property
    def this_month_total(self) -> int:
        return sum(self.this_month.values())

    @property
    def method_rows(self) -> list[tuple[str, int, str]]:
        return [
            (label, self.this_month[code], self.this_month_urls[code])
            for code, label in self.methods
        ]


_VISITS = """
SELECT date_trunc('month', v.visit_date)::date, v.method, count(*)
  FROM cases_visit v JOIN households_household h ON h.id = v.household_id
 WHERE h.area_code LIKE %(like)s AND v.visit_date >= %(since)s AND v.visit_date <= %(day)s
 GROUP BY 1, 2
"""


def visits(*, scope: Scope, day: dt.date, months: int = 6) -> Visits:
    """Visits by method this month, and a trend over the last `months` months."""
    from cases.models import Visit

    starts = [month_start(day)]
    for _i in range(months - 1):
        starts.insert(0, month_start(starts[0] - dt.timedelta(days=1)))
    params = {"like": scope.like, "since": starts[0], "day": day}
    methods = list(Visit.Method.choices)
    by_month = {code: [0] * len(starts) for code, _label in methods}
    index = {start: i for i, start in enumerate(starts)}
    version = "(SELECT max(id) FROM cases_visit), " + _HOUSEHOLD_VERSION  # noqa: S608
    (found,) = _cached_rows(
        "visits", version, (scope.area.prefix, day, months), [(_VISITS, params)]
    )
    for month, method, n in found:
        if method in by_month and month in index:
            by_month[method][index[month]] = n
    this_month = {code: counts[-1] for code, counts in by_month.items()}
    urls = {
        code: _ledger_link(
            "visits", area=scope.area.code, method=code, date_after=starts[-1], date_before=day
        )
        for code, _label in methods
    }
    return Visits(
        methods=[(c, str(label)) for c, label in methods],
        months=starts,
        by_month=by_month,
        this_month=this_month,
        this_month_urls=urls,
    )


@dataclass
class Alerts:
    total: int
    oldest: dt.date | None
    by_kind: list[tuple[str, int]]
    by_area: list[tuple[str, str, int]]


_ALERTS = """
SELECT {child} AS child, a.kind, count(*), min(a.occurred_on), GROUPING({child}), GROUPING(a.kind)
  FROM cases_hardshipalert a JOIN households_household h ON h.id = a.household_id
 WHERE h.area_code LIKE %(like)s AND a.resolved_at IS NULL
 GROUP BY GROUPING SETS (({child}), (a.kind), ())
"""


def alerts(*, scope: Scope) -> Alerts:
    """Hardship alerts (急难) still open: how many, the oldest, by kind and by child area."""
    from cases.models import HardshipAlert

    kinds = dict(HardshipAlert.Kind.choices)
    result = Alerts(total=0, oldest=None, by_kind=[], by_area=[])
    by_child: dict[str, int] = {}
    sql = _ALERTS.format(child=_child_sql("h.area_code", scope))
    version = (
        "(SELECT max(updated_at) FROM cases_hardshipalert), "  # noqa: S608
        "(SELECT count(*) FROM cases_hardshipalert WHERE resolved_at IS NULL), "
        + _HOUSEHOLD_VERSION
    )
    (found,) = _cached_rows(
        "alerts", version, (scope.area.prefix, scope.child_length), [(sql, {"like": scope.like})]
    )
    for child, kind, n, oldest, g_child, g_kind in found:
        if g_child and g_kind:
            result.total, result.oldest = n, oldest
        elif not g_kind:
            result.by_kind.append((str(kinds.get(kind, kind)), n))
        else:
            by_child[child] = n
    result.by_area = [
        (c.code, c.name, by_child[c.prefix]) for c in scope.children if c.prefix in by_child
    ]
    return result


@dataclass
class Services:
    rows: list[dict[str, Any]]  # kind, label, activities, sessions, attendees, person_times (+ytd)


_SERVICES = """
SELECT s.kind,
       count(*) FILTER (WHERE s.date >= %(m0)s),
       coalesce(sum(s.sessions) FILTER (WHERE s.date >= %(m0)s), 0),
       coalesce(sum(s.person_times) FILTER (WHERE s.date >= %(m0)s), 0),
       count(*), coalesce(sum(s.sessions), 0), coalesce(sum(s.person_times), 0)
  FROM cases_serviceactivity s
 WHERE s.area_code LIKE %(like)s AND s.date >= %(y0)s AND s.date <= %(day)s
 GROUP BY s.kind
"""


def services(*, scope: Scope, day: dt.date) -> Services:
    """Social-work services (个案, 小组, 社区活动): activities, sessions and person-times,
    this month and this year."""
    from cases.models import ServiceActivity

    params = {
        "like": scope.like,
        "m0": month_start(day),
        "y0": day.replace(month=1, day=1),
        "day": day,
    }
    found = {row[0]: row[1:] for row in _rows(_SERVICES, params)}
    rows = []
    for kind, label in ServiceActivity.Kind.choices:
        month_n, month_sessions, month_times, year_n, year_sessions, year_times = found.get(
            kind, (0,) * 6
        )
        rows.append(
            {
                "kind": kind,
                "label": str(label),
                "month_activities": month_n,
                "month_sessions": month_sessions,
                "month_person_times": month_times,
                "year_activities": year_n,
                "year_sessions": year_sessions,
                "year_person_times": year_times,
            }
        )
    return Services(rows=rows)


# ---- needs, referrals, resources (需求资源) -------------------------------------------------


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


def may_view_needs(actor: Actor) -> bool:
    from matching.roles import Can as NeedCan
    from matching.roles import can as need_can

    return need_can(actor, NeedCan.VIEW_NEEDS)


def needs(*, scope: Scope) -> Needs:
    """Needs by type and status (生存型/关爱型/发展型 × 待核实…已关闭)."""
    from matching.models import Need

    types = [(c, str(label)) for c, label in Need.Type.choices]
    statuses = [(c, str(label)) for c, label in Need.Status.choices]
    counts = {t: dict.fromkeys((s for s, _l in statuses), 0) for t, _l in types}
    total = 0
    version = (
        "(SELECT max(updated_at) FROM matching_need), (SELECT count(*) FROM matching_need), "  # noqa: S608
        + _HOUSEHOLD_VERSION
    )
    (found,) = _cached_rows(
        "needs", version, (scope.area.prefix,), [(_NEEDS, {"like": scope.like})]
    )
    for kind, status, n in found:
        if kind in counts and status in counts[kind]:
            counts[kind][status] = n
            total += n
    urls = {
        t: {s: _ledger_link("needs", area=scope.area.code, type=t, status=s) for s, _l in statuses}
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
    (found,) = _cached_rows(
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
        (c, str(label), status_n.get(c, 0), _ledger_link("referrals", area=area, status=c))
        for c, label in Referral.Status.choices
    ]
    outcomes = [*Referral.Outcome.choices, ("", _("未回访"))]
    by_outcome = [
        (
            c,
            str(label),
            outcome_n.get(c, 0),
            _ledger_link("referrals", area=area, outcome=c or "none"),
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

    @property
    def percent(self) -> int:
        return min(100, round(self.used * 100 / self.limit)) if self.limit else 0


def resources(*, actor: Actor, scope: Scope, day: dt.date, limit: int = 20) -> list[ResourceUse]:
    """Services against their capacity this period, goods against stock: the fullest first.

    The resources are those of the pool the actor sees (resources.selectors), serving the
    chosen area, an area inside it or one above it (a district-wide resource serves all).
    """
    from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum
    from django.db.models.functions import Coalesce

    from resources.models import Resource, StockMovement
    from resources.selectors import ancestor_prefixes, resource_qs_visible_to, with_remaining

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
    serving = Q(area_code__startswith=prefix) | Q(area_code__in=ancestor_prefixes(prefix))
    kinds = [Resource.Kind.SERVICE, Resource.Kind.GOODS]
    fields = ("uuid", "name", "provider__name", "kind", "unit", "capacity", "stock")
    qs = with_remaining(
        resource_qs_visible_to(actor=actor).filter(serving, active=True, kind__in=kinds),
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
    (rows,) = _cached_rows("resources", version, key, [(sql, list(params))])
    result = []
    for uuid, name, provider, kind, unit, capacity, stock, used_now, given_month in rows:
        if kind == Resource.Kind.SERVICE:
            use = ResourceUse(name, provider, str(_("服务")), unit, capacity or 0, used_now, "")
        else:
            use = ResourceUse(
                name, provider, str(_("物资")), unit, (stock or 0) + given_month, given_month, ""
            )
        use.url = _ledger_link("referrals", area=scope.area.code, resource=uuid)
        result.append(use)
    result.sort(key=lambda r: (-r.percent, -r.used, r.name))
    return result[:limit]
