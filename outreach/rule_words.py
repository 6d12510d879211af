"""Policy rules in words: a form field per parameter (the tier rules' own field maker, with
this catalogue's choices) and each rule's parameters read back as a sentence."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from cases.rule_words import param_field as _param_field
from outreach.predicates import CATALOGUE, CHOICES


def param_field(name: str, spec: Any) -> forms.Field:
    return _param_field(name, spec, choices=CHOICES.get(name))


def describe(code: str, params: dict[str, Any]) -> str:
    """A rule in words ("一级至二级肢体残疾"); "" for an unknown code."""
    condition = CATALOGUE.get(code)
    if condition is None:
        return ""
    try:
        return condition.words(condition.clean(params))
    except ValidationError:  # a stored rule the catalogue no longer accepts
        return str(condition.label)


def condition_label(code: str) -> str:
    condition = CATALOGUE.get(code)
    return str(condition.label) if condition is not None else code
