# SQL here is built from fixed column names and catalogue choices; every value a rule
# carries is a query parameter.
"""The fixed catalogue of policy conditions: what a PolicyRule's `code` may name.

It is the tier rules' catalogue machinery (cases.predicates: `Predicate`, `Param`, the same
parameter checking, the same form fields in words) over the facts an eligibility rule reads:
categories, age, disability type and grade, illness, schooling, living alone, employment and
per-capita income against the standard in force. Each condition is a SQL condition on one of
two rows of the screening statement (outreach/screening.py):

- `m`, an active member (member conditions: a policy with any of them finds members, and all
  its member conditions hold for the same member);
- `f`, the household's facts (household conditions): `categories` (active approved
  enrolments), `per_capita` income, and the standard's `dibao`, `dibian` and `tekun` lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.predicates import Bind, Param, Predicate
from households.models import Category, Member

MEMBER = "member"
HOUSEHOLD = "household"

_CATEGORIES = tuple(Category.Code.values)
_DISABILITIES = tuple(v for v in Member.DisabilityType.values if v)
_SCHOOLING = ("preschool", "primary", "junior", "senior", "higher")
_HEALTH = ("chronic", "serious")
_LABOUR = ("full", "partial")
# The standard's lines an income may be held against (columns of the facts row `f`).
LINES = ("dibao", "dibian", "tekun")


@dataclass(frozen=True)
class Condition(Predicate):
    """A catalogue entry: its level, its SQL condition and its words for a lead's reason."""

    level: str = HOUSEHOLD
    where: Callable[[dict[str, Any], dt.date, Bind], str] = lambda p, d, b: "TRUE"
    words: Callable[[dict[str, Any]], str] = lambda p: ""


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _labels(choices: list[tuple[Any, Any]], values: list[Any]) -> str:
    names = dict(choices)
    return "、".join(str(names.get(v, v)) for v in values)


# ---- member conditions ---------------------------------------------------------------


def _age_where(p: dict[str, Any], today: dt.date, bind: Bind) -> str:
    # Aged at least min_age: born on or before that many years ago; at most max_age: born
    # after max_age + 1 years ago.
    born_by = _years_before(today, p["min_age"])
    born_after = _years_before(today, p["max_age"] + 1)
    return f"m.birth_date <= {bind(born_by)} AND m.birth_date > {bind(born_after)}"


def _age_words(p: dict[str, Any]) -> str:
    if p["max_age"] >= 120:
        return str(_("年满%(min)s周岁") % {"min": p["min_age"]})
    return str(_("%(min)s至%(max)s周岁") % {"min": p["min_age"], "max": p["max_age"]})


def _disability_where(p: dict[str, Any], today: dt.date, bind: Bind) -> str:
    return (
        f"m.disability_type = ANY({bind(list(p['types']))})"
        f" AND m.disability_grade <= {bind(p['max_grade'])}"
    )


def _disability_words(p: dict[str, Any]) -> str:
    grades = dict(Member.DisabilityGrade.choices)
    grade = (
        str(grades[1])
        if p["max_grade"] == 1
        else str(_("%(first)s至%(last)s") % {"first": grades[1], "last": grades[p["max_grade"]]})
    )
    types = list(p["types"])
    kinds = (
        "" if len(types) == len(_DISABILITIES) else _labels(Member.DisabilityType.choices, types)
    )
    return str(_("%(grade)s%(kinds)s残疾") % {"grade": grade, "kinds": kinds})


def _illness_where(p: dict[str, Any], today: dt.date, bind: Bind) -> str:
    return f"m.health = ANY({bind(list(p['health']))})"


def _illness_words(p: dict[str, Any]) -> str:
    return str(_("患%(health)s") % {"health": _labels(Member.Health.choices, p["health"])})


def _schooling_where(p: dict[str, Any], today: dt.date, bind: Bind) -> str:
    return f"m.schooling = ANY({bind(list(p['levels']))})"


def _schooling_words(p: dict[str, Any]) -> str:
    return str(_("在读%(levels)s") % {"levels": _labels(Member.Schooling.choices, p["levels"])})


def _lives_alone_where(p: dict[str, Any], today: dt.date, bind: Bind) -> str:
    return "m.lives_alone"


def _unemployed_where(p: dict[str, Any], today: dt.date, bind: Bind) -> str:
    return f"m.employment = 'unemployed' AND m.labour_capacity = ANY({bind(list(p['labour']))})"


def _unemployed_words(p: dict[str, Any]) -> str:
    labour = _labels(Member.LabourCapacity.choices, p["labour"])
    return str(_("失业（%(labour)s）") % {"labour": labour})


# ---- household conditions ------------------------------------------------------------


def _enrolled_where(p: dict[str, Any], today: dt.date, bind: Bind) -> str:
    return f"f.categories && {bind(list(p['categories']))}::varchar[]"


def _enrolled_words(p: dict[str, Any]) -> str:
    names = _labels(Category.Code.choices, p["categories"])
    return str(_("享受%(names)s") % {"names": names.replace("、", "或")})


def _not_enrolled_where(p: dict[str, Any], today: dt.date, bind: Bind) -> str:
    return f"NOT (f.categories && {bind(list(p['categories']))}::varchar[])"


def _not_enrolled_words(p: dict[str, Any]) -> str:
    return str(_("未享受%(names)s") % {"names": _labels(Category.Code.choices, p["categories"])})


_LINE_LABELS = {"dibao": _("低保标准"), "dibian": _("低边标准"), "tekun": _("特困基本生活标准")}


def _income_where(p: dict[str, Any], today: dt.date, bind: Bind) -> str:
    line = p["line"]  # one of LINES: a column name of the facts row, checked by Param.choices
    return f"f.per_capita < f.{line} * {bind(p['percent'])} / 100.0"


def _income_words(p: dict[str, Any]) -> str:
    line = _LINE_LABELS[p["line"]]
    if p["percent"] == 100:
        return str(_("人均收入低于%(line)s") % {"line": line})
    return str(_("人均收入低于%(line)s的%(percent)s%%") % {"line": line, "percent": p["percent"]})


CATALOGUE: dict[str, Condition] = {
    c.code: c
    for c in [
        Condition(
            code="age",
            label=_("年龄"),
            params={
                "min_age": Param(int, 80, _("年龄不低于"), minimum=0, maximum=120),
                "max_age": Param(int, 120, _("年龄不高于"), minimum=0, maximum=120),
            },
            level=MEMBER,
            where=_age_where,
            words=_age_words,
        ),
        Condition(
            code="disability",
            label=_("残疾类别和等级"),
            params={
                "types": Param(list, list(_DISABILITIES), _("残疾类别")),
                "max_grade": Param(int, 2, _("残疾等级不高于"), minimum=1, maximum=4),
            },
            level=MEMBER,
            where=_disability_where,
            words=_disability_words,
        ),
        Condition(
            code="illness",
            label=_("患病"),
            params={"health": Param(list, ["serious"], _("健康状况"))},
            level=MEMBER,
            where=_illness_where,
            words=_illness_words,
        ),
        Condition(
            code="schooling",
            label=_("在学"),
            params={"levels": Param(list, ["primary", "junior", "senior"], _("在学阶段"))},
            level=MEMBER,
            where=_schooling_where,
            words=_schooling_words,
        ),
        Condition(
            code="lives_alone",
            label=_("独居"),
            level=MEMBER,
            where=_lives_alone_where,
            words=lambda p: str(_("独居")),
        ),
        Condition(
            code="unemployed",
            label=_("有劳动能力且失业"),
            params={"labour": Param(list, list(_LABOUR), _("劳动能力"))},
            level=MEMBER,
            where=_unemployed_where,
            words=_unemployed_words,
        ),
        Condition(
            code="enrolled",
            label=_("享受某类救助"),
            params={"categories": Param(list, ["dibao", "tekun"], _("救助类别"))},
            where=_enrolled_where,
            words=_enrolled_words,
        ),
        Condition(
            code="not_enrolled",
            label=_("未享受某类救助"),
            params={"categories": Param(list, ["dibao"], _("救助类别"))},
            where=_not_enrolled_where,
            words=_not_enrolled_words,
        ),
        Condition(
            code="income_below",
            label=_("人均收入低于标准"),
            params={
                "line": Param(str, "dibao", _("对照标准"), choices=LINES),
                "percent": Param(int, 100, _("标准的百分比"), minimum=10, maximum=500),
            },
            where=_income_where,
            words=_income_words,
        ),
    ]
}

# The labelled choices of list and choice parameters (the tier rules' names plus ours).
CHOICES: dict[str, list[tuple[Any, Any]]] = {
    "types": [c for c in Member.DisabilityType.choices if c[0]],
    "max_grade": list(Member.DisabilityGrade.choices),
    "health": [c for c in Member.Health.choices if c[0] in _HEALTH],
    "levels": [c for c in Member.Schooling.choices if c[0] in _SCHOOLING],
    "labour": [c for c in Member.LabourCapacity.choices if c[0] in _LABOUR],
    "categories": list(Category.Code.choices),
    "line": list(_LINE_LABELS.items()),
}
_ALLOWED = {name: {value for value, _label in pairs} for name, pairs in CHOICES.items()}


def clean_params(code: str, raw: Any) -> dict[str, Any]:
    """The catalogue's own checks (known keys, types, ranges), and list values among the
    parameter's choices."""
    params = CATALOGUE[code].clean(raw)
    for name, value in params.items():
        allowed = _ALLOWED.get(name)
        values = value if isinstance(value, list) else [value]
        if allowed is not None and not set(values) <= allowed:
            raise ValidationError(
                {
                    "params": _("参数“%(name)s”的值无效。")
                    % {"name": CATALOGUE[code].params[name].label}
                }
            )
    return params


def predicate_choices() -> list[tuple[str, Any]]:
    return [(code, c.label) for code, c in CATALOGUE.items()]
