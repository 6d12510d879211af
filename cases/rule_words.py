"""Tier rules in a district admin's words: a form field for each predicate parameter, and
each rule's parameters read back as a sentence, instead of JSON and raw codes.

The predicates (cases/predicates.py) stay the one definition of what a rule may say; this
module only names their parameters' values for people (categories, need types and statuses,
disability grades, days and ages with their units).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.needs import needs_list
from cases.predicates import CATALOGUE, NEED_TYPES, Param
from households.models import Category, Member
from resources.vocabulary import NeedType

_UNITS = {"days": _("天"), "due_within_days": _("天"), "min_age": _("岁")}
_HELP = {
    "days": _("记录或救助结束在多少天以内"),
    "due_within_days": _("急难发生后须在几天内跟进"),
    "min_age": _("年满多少岁"),
    "max_disability_grade": _("例如选“二级”即一级、二级残疾"),
    "serious_illness": _("勾选后，重病/大病且无人照料的也列入"),
    "statuses": _("处于所选状态的需求视为尚未解决"),
}


def _need_types() -> list[tuple[str, Any]]:
    return [(value, label) for value, label in NeedType.choices if value in NEED_TYPES]


def _need_statuses() -> list[tuple[str, Any]]:
    needs = needs_list()
    return needs.status_choices() if needs is not None else []


def choices_for(name: str, spec: Param) -> list[tuple[Any, Any]] | None:
    """The labelled choices of a parameter, or None when it is a number or a yes/no."""
    if name == "category":
        return list(Category.Code.choices)
    if name == "type":
        return _need_types()
    if name == "statuses":
        return _need_statuses()
    if name == "max_disability_grade":
        return list(Member.DisabilityGrade.choices)
    if spec.choices is not None:
        return [(c, c) for c in spec.choices]
    return None


def param_field(
    name: str, spec: Param, *, choices: list[tuple[Any, Any]] | None = None
) -> forms.Field:
    """A form field for one parameter, in words, with the catalogue's own limits.

    `choices` names the values of a parameter another catalogue (outreach's) defines."""
    label, help_text = spec.label, _HELP.get(name, "")
    choices = choices if choices is not None else choices_for(name, spec)
    if spec.kind is bool:
        return forms.BooleanField(label=label, required=False, help_text=help_text)
    if spec.kind is list:
        return forms.MultipleChoiceField(
            label=label,
            choices=choices or [],
            widget=forms.CheckboxSelectMultiple,
            help_text=help_text,
        )
    if spec.kind is int and choices is not None:
        return forms.TypedChoiceField(label=label, choices=choices, coerce=int, help_text=help_text)
    if spec.kind is int:
        unit = _UNITS.get(name)
        return forms.IntegerField(
            label=f"{label}（{unit}）" if unit else label,
            min_value=spec.minimum,
            max_value=spec.maximum,
            help_text=help_text,
        )
    return forms.ChoiceField(label=label, choices=choices or [], help_text=help_text)


def describe(code: str, params: dict[str, Any]) -> str:
    """A rule's parameters as words: "救助类别：特困；天数：90 天"; "" when it has none."""
    predicate = CATALOGUE.get(code)
    if predicate is None:
        return ""
    parts = []
    for name, spec in predicate.params.items():
        value = params.get(name, spec.default)
        parts.append(f"{spec.label}：{_value_words(name, spec, value)}")
    return "；".join(parts)


def _value_words(name: str, spec: Param, value: Any) -> str:
    if spec.kind is bool:
        return str(_("是") if value else _("否"))
    labels = dict(choices_for(name, spec) or [])
    if isinstance(value, list):
        return "、".join(str(labels.get(v, v)) for v in value)
    if value in labels:
        return str(labels[value])
    unit = _UNITS.get(name)
    return f"{value} {unit}" if unit else str(value)


def predicate_label(code: str) -> str:
    predicate = CATALOGUE.get(code)
    return str(predicate.label) if predicate is not None else str(_("（未知条件）"))
