"""Case-work panels (走访跟进): follow-ups, visits by method, open hardship alerts, services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from dashboards import summary
from dashboards.panels.common import (
    HOUSEHOLD_VERSION,
    Scope,
    area_rows,
    cached_rows,
    child_sql,
    fetch_rows,
    ledger_link,
    month_start,
)
from households.models import User


@dataclass
class FollowUpCounts:
    key: str
    name: str
    overdue: int = 0
    upcoming: int = 0
    on_time: int = 0
    late: int = 0
    overdue_url: str = ""
    area_name: str = ""  # a worker's community

    @property
    def on_time_rate(self) -> int | None:
        done = self.on_time + self.late
        return round(self.on_time * 100 / done) if done else None


@dataclass
class FollowUps:
    total: FollowUpCounts
    by_area: list[FollowUpCounts]
    by_worker: list[FollowUpCounts]


def followups(*, scope: Scope, day: dt.date) -> FollowUps:
    """Open follow-ups overdue or upcoming on `day`, and those done this month on time or
    late, for the area, each child and each assignee (the summary, then one query for names)."""
    total = FollowUpCounts("", scope.area.name)
    by_area: dict[str, FollowUpCounts] = {}
    by_worker: dict[int | None, FollowUpCounts] = {}
    found = summary.followup_rows(scope, day)
    for child, worker, *counts, g_child, g_worker in found:
        if g_child and g_worker:
            target = total
        elif not g_child:
            target = by_area.setdefault(child, FollowUpCounts(child, ""))
        else:
            target = by_worker.setdefault(worker, FollowUpCounts(str(worker or ""), ""))
        target.overdue, target.upcoming, target.on_time, target.late = counts
    total.overdue_url = ledger_link("followups", area=scope.area.code, overdue="true")
    people = (
        User.objects.filter(pk__in=[k for k in by_worker if k])
        .select_related("area")
        .only("pk", "username", "display_name", "area__name")
    )
    names = {u.pk: (str(u), u.username, u.area.name if u.area else "") for u in people}
    for worker, counts in by_worker.items():
        unassigned = (_("（未分配）"), "none", "")
        name, username, area_name = names.get(worker, unassigned) if worker else unassigned
        counts.name = name or _("（未分配）")
        counts.area_name = area_name
        counts.overdue_url = ledger_link(
            "followups", area=scope.area.code, overdue="true", assignee=username
        )
    areas = area_rows(scope, by_area)
    for counts in areas:
        counts.overdue_url = ledger_link("followups", area=counts.key, overdue="true")
    workers = sorted(by_worker.values(), key=lambda c: (-c.overdue, c.area_name, c.name))
    return FollowUps(total=total, by_area=areas, by_worker=workers)


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


def visits(*, scope: Scope, day: dt.date, months: int = 6) -> Visits:
    """Visits by method this month, and a trend over the last `months` months."""
    from cases.models import Visit

    starts = [month_start(day)]
    for _i in range(months - 1):
        starts.insert(0, month_start(starts[0] - dt.timedelta(days=1)))
    methods = list(Visit.Method.choices)
    by_month = {code: [0] * len(starts) for code, _label in methods}
    index = {start: i for i, start in enumerate(starts)}
    found = summary.visit_rows(scope, day, starts[0])
    for month, method, n in found:
        if method in by_month and month in index:
            by_month[method][index[month]] = n
    this_month = {code: counts[-1] for code, counts in by_month.items()}
    urls = {
        code: ledger_link(
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
    sql = _ALERTS.format(child=child_sql("h.area_code", scope))
    version = (
        "(SELECT max(updated_at) FROM cases_hardshipalert), "  # noqa: S608
        "(SELECT count(*) FROM cases_hardshipalert WHERE resolved_at IS NULL), " + HOUSEHOLD_VERSION
    )
    (found,) = cached_rows(
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
    found = {row[0]: row[1:] for row in fetch_rows(_SERVICES, params)}
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
