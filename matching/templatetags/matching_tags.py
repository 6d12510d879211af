"""Labels for the codes needs and resources keep in arrays and JSON (templates only)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from resources.vocabulary import CATEGORY_LABELS, NeedSubtype, NeedType

register = template.Library()


def _labels(choices: dict, values: Iterable[str]) -> list[str]:
    return [str(choices.get(value, value)) for value in values or ()]


@register.filter
def need_type_labels(values: Iterable[str]) -> list[str]:
    return _labels(dict(NeedType.choices), values)


@register.filter
def subtype_labels(values: Iterable[str]) -> list[str]:
    return _labels(dict(NeedSubtype.choices), values)


@register.filter
def category_labels(values: Iterable[str]) -> list[str]:
    return _labels(CATEGORY_LABELS, values)
