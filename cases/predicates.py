# SQL here is built from table and column names taken from model _meta; every value is a
# query parameter.
"""The fixed catalogue of tier-rule predicates: what a TierRule's `code` may name.

Each predicate turns a rule's `params` into a `Source`: a table, its household column and a
condition, so that the nightly job finds every household meeting each rule for a whole
chunk of households (a range of ids on that column, served by its index) in one statement.
Rules themselves (tier, interval, parameters, active, priority) are rows a district admin
edits; only this catalogue needs a deploy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _

from cases.models import HardshipAlert
from cases.needs import needs_list
from households.models import Category, Enrolment, Household, Member

NEED_TYPES = ("survival", "care", "development")
# The needs list's statuses that count as "not yet met" (待匹配, 已匹配, 服务中).
OPEN_NEED_STATUSES = ("open", "matched", "in_progress")


@dataclass(frozen=True)
class Context:
    """What every predicate may depend on besides the household: the run's local day."""

    today: dt.date
    since_start_of: Callable[[dt.date], dt.datetime]


# Turns a value into a query placeholder (it is passed as a parameter, never inlined).
Bind = Callable[[Any], str]


@dataclass(frozen=True)
class Source:
    """Where a predicate finds its households: `SELECT {household} FROM {table} WHERE
    {condition}`, which the job restricts to a chunk by a range on `household`."""

    table: str
    household: str
    condition: str


@dataclass(frozen=True)
class Param:
    kind: type
    default: Any
    label: Any
    choices: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Predicate:
    code: str
    label: Any
    params: dict[str, Param] = field(default_factory=dict)
    # (validated params, context, bind) -> the rows that meet it, or None when the predicate
    # cannot hold at all (e.g. no needs list, or its table not migrated yet).
    source: Callable[[dict[str, Any], Context, Bind], Source | None] = lambda p, c, b: None

    def clean(self, raw: Any) -> dict[str, Any]:
        """The rule's params, checked against this predicate: known keys, types and ranges."""
        if raw in (None, ""):
            raw = {}
        if not isinstance(raw, dict):
            raise ValidationError({"params": _("参数应为 JSON 对象。")})
        unknown = sorted(set(raw) - set(self.params))
        if unknown:
            raise ValidationError(
                {"params": _("不认识的参数：%(names)s") % {"names": "、".join(unknown)}}
            )
        return {
            name: _clean_one(name, spec, raw.get(name, spec.default))
            for name, spec in self.params.items()
        }

    def defaults(self) -> dict[str, Any]:
        return {name: spec.default for name, spec in self.params.items()}


def _clean_one(name: str, spec: Param, value: Any) -> Any:
    bad = ValidationError({"params": _("参数“%(name)s”的值无效。") % {"name": spec.label}})
    if spec.kind is bool:
        if not isinstance(value, bool):
            raise bad
        return value
    if spec.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
        if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum
        ):
            raise bad
        return value
    if spec.kind is list:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise bad
        return value
    if not isinstance(value, str) or (spec.choices is not None and value not in spec.choices):
        raise bad
    return value


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


_HOUSEHOLD = Household._meta.db_table
_ENROLMENT = Enrolment._meta.db_table
_MEMBER = Member._meta.db_table
_ALERT = HardshipAlert._meta.db_table


def _enrolled(p: dict[str, Any], ctx: Context, bind: Bind) -> Source:
    today = bind(ctx.today)
    return Source(
        f"{_ENROLMENT} e",
        "e.household_id",
        f"e.category_id = {bind(p['category'])} AND e.status = 'approved'"
        f" AND e.start_date <= {today} AND (e.end_date IS NULL OR e.end_date >= {today})",
    )


def _enrolled_recently(p: dict[str, Any], ctx: Context, bind: Bind) -> Source:
    since = ctx.today - dt.timedelta(days=p["days"])
    return Source(
        f"{_ENROLMENT} e",
        "e.household_id",
        f"e.category_id = {bind(p['category'])} AND e.status IN ('approved', 'ended')"
        f" AND e.start_date <= {bind(ctx.today)}"
        f" AND (e.end_date IS NULL OR e.end_date >= {bind(since)})",
    )


def _frail_without_caregiver(p: dict[str, Any], ctx: Context, bind: Bind) -> Source:
    serious = " OR m.health = 'serious'" if p["serious_illness"] else ""
    return Source(
        f"{_MEMBER} m",
        "m.household_id",
        "m.status = 'active' AND NOT m.has_caregiver"
        f" AND (m.disability_grade <= {bind(p['max_disability_grade'])}{serious})",
    )


def _elderly_alone(p: dict[str, Any], ctx: Context, bind: Bind) -> Source:
    born_by = _years_before(ctx.today, p["min_age"])
    return Source(
        f"{_MEMBER} m",
        "m.household_id",
        f"m.status = 'active' AND m.lives_alone AND m.birth_date <= {bind(born_by)}",
    )


def _hardship_alert(p: dict[str, Any], ctx: Context, bind: Bind) -> Source:
    return Source(
        f"{_ALERT} a",
        "a.household_id",
        f"a.resolved_at IS NULL AND a.created_at >= {bind(hardship_window_start(p, ctx))}",
    )


def hardship_window_start(p: dict[str, Any], ctx: Context) -> dt.datetime:
    """Alerts recorded since the start of this local day count (the rule's `days` ago)."""
    return ctx.since_start_of(ctx.today - dt.timedelta(days=p["days"]))


def need_table() -> tuple[str, str, str, str] | None:
    """The needs list's table and its household, type and status columns (cases/needs.py),
    once its migration has run; None without a needs list."""
    needs = needs_list()
    if needs is None:
        return None
    table = needs.table()
    if not _table_exists(table[0]):
        return None  # the model is there but its migration has not run yet
    return table


_TABLES_SEEN: set[str] = set()


def _table_exists(table: str) -> bool:
    """Whether the table exists, remembered once it does (tables are not dropped at run time).

    Every visit logged builds the schedule statement, and the catalogue query behind
    introspection.table_names() ran twice per visit; a missing table is asked again next
    time, so a migration that creates it is noticed.
    """
    if table not in _TABLES_SEEN:
        if table not in connection.introspection.table_names():
            return False
        _TABLES_SEEN.add(table)
    return True


def _open_need(p: dict[str, Any], ctx: Context, bind: Bind) -> Source | None:
    table = need_table()
    if table is None:
        return None
    name, household, kind, status = table
    return Source(
        f"{name} n",
        f"n.{household}",
        f"n.{kind} = {bind(p['type'])} AND n.{status} = ANY({bind(list(p['statuses']))})",
    )


def _active_household(p: dict[str, Any], ctx: Context, bind: Bind) -> Source:
    return Source(f"{_HOUSEHOLD} h", "h.id", "TRUE")


_CATEGORIES = tuple(Category.Code.values)

CATALOGUE: dict[str, Predicate] = {
    predicate.code: predicate
    for predicate in [
        Predicate(
            code="enrolled",
            label=_("当前享受某类救助"),
            params={"category": Param(str, "dibao", _("救助类别"), choices=_CATEGORIES)},
            source=_enrolled,
        ),
        Predicate(
            code="enrolled_recently",
            label=_("近若干天内享受过某类救助"),
            params={
                "category": Param(str, "linshi", _("救助类别"), choices=_CATEGORIES),
                "days": Param(int, 90, _("天数"), minimum=1, maximum=3660),
            },
            source=_enrolled_recently,
        ),
        Predicate(
            code="open_need",
            label=_("有未解决的某类需求"),
            params={
                "type": Param(str, "survival", _("需求类型"), choices=NEED_TYPES),
                "statuses": Param(list, list(OPEN_NEED_STATUSES), _("视为未解决的需求状态")),
            },
            source=_open_need,
        ),
        Predicate(
            code="frail_without_caregiver",
            label=_("重度残疾或重病且无人照料"),
            params={
                "max_disability_grade": Param(int, 2, _("残疾等级不高于"), minimum=1, maximum=4),
                "serious_illness": Param(bool, True, _("含重病/大病")),
            },
            source=_frail_without_caregiver,
        ),
        Predicate(
            code="elderly_alone",
            label=_("高龄独居"),
            params={"min_age": Param(int, 80, _("年龄不低于"), minimum=50, maximum=120)},
            source=_elderly_alone,
        ),
        Predicate(
            code="hardship_alert",
            label=_("有未解除的急难情况"),
            params={
                "days": Param(int, 90, _("急难记录有效天数"), minimum=1, maximum=3660),
                "due_within_days": Param(int, 3, _("须在几天内跟进"), minimum=0, maximum=60),
            },
            source=_hardship_alert,
        ),
        # The catch-all: applies to active households that no other active rule matches.
        Predicate(
            code="active_household",
            label=_("其他在册家庭（未命中其他规则时）"),
            source=_active_household,
        ),
    ]
}


def predicate_choices() -> list[tuple[str, Any]]:
    return [(code, predicate.label) for code, predicate in CATALOGUE.items()]
