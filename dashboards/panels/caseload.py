"""The category table (救助对象) of an area and its children on a day, and the month's changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from dashboards import summary
from dashboards.panels.common import (
    DIRECT,
    REGISTRY_VERSION,
    Scope,
    cached_categories,
    cached_rows,
    fetch_rows,
    ledger_link,
    link,
    month_start,
)
from households.filters import ANY_CATEGORY
from households.models import Category
from ledgers.definitions import end_of_day


@dataclass
class Cell:
    """户 and 人 of a category (or all) in an area, each with the list of exactly those rows."""

    households: int = 0
    persons: int = 0
    url: str = ""  # the households counted
    persons_url: str = ""  # the persons counted


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
    # The month's changes to the caseload, by the enrolments' own dates (本月起始): new by
    # start date, ended by end date (suspended: by the suspension's decision).
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    # What the office decided in the month up to the day (本月办理), by decision date: an
    # approval today that runs from last month is here, not among last month's new.
    decisions: dict[str, dict[str, int]] = field(default_factory=dict)

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


def caseload(*, scope: Scope, day: dt.date) -> Caseload:
    """The category table of the area and each child on `day`, and the month's changes.

    Read from the maintained summary (dashboards.summary).
    """
    categories = cached_categories()
    found, changes_rows = summary.caseload_rows(scope, day)
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
    result.decisions = {c.code: dict.fromkeys(DECISIONS, 0) for c in categories}
    for code, status, n in decision_rows(scope, day):
        if code in result.decisions:
            result.decisions[code][status] = n
    return result


# An enrolment counts once, under its latest decision (decided_at is the latest one's).
DECISIONS = ("approved", "rejected", "suspended", "ended")
_DECISIONS = """
SELECT e.category_id, e.status, count(*)
  FROM households_enrolment e JOIN households_household h ON h.id = e.household_id
 WHERE h.area_code LIKE %(like)s AND e.decided_at >= %(m0_at)s AND e.decided_at < %(cutoff)s
   AND e.status IN ('approved', 'rejected', 'suspended', 'ended')
 GROUP BY 1, 2
"""


def decision_rows(scope: Scope, day: dt.date, *, cached: bool = True) -> list[tuple]:
    """(category, status, n): enrolments decided from the 1st of the day's month to the day."""
    params = {
        "like": scope.like,
        "m0_at": end_of_day(month_start(day) - dt.timedelta(days=1)),
        "cutoff": end_of_day(day),
    }
    if not cached:
        return fetch_rows(_DECISIONS, params)
    (found,) = cached_rows(
        "decisions", REGISTRY_VERSION, (scope.area.prefix, day), [(_DECISIONS, params)]
    )
    return found


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
        url=link("households:list", area=code),
    )
    # Rows registered directly in the area (not in a child) have no list of their own: the
    # area's list holds them with its children's.
    for enrolled, cell in [*row.cells.items(), (ANY_CATEGORY, row.total)]:
        cell.url, cell.persons_url = drill_down_urls(code, enrolled, day)
    return row


def drill_down_urls(area: str, enrolled: str, day: dt.date) -> tuple[str, str]:
    """The household list and the persons ledger counted by one cell of the table."""
    on = None if day == timezone.localdate() else day.isoformat()
    return (
        link("households:list", area=area, enrolled=enrolled, on=on),
        ledger_link("members", area=area, enrolled=enrolled, on=on),
    )
