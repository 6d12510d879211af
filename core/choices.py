"""The label of a field's choice, read from a table kept per field.

Django's `get_FOO_display()` builds `dict(make_hashable(field.flatchoices))` on every call,
which hashes (and so translates) every label of the field. The household page shows half a
dozen choices per member, visit and need, and those calls were a visible part of its CPU;
our choices are fixed lists, so the table is built once per field and its labels stay lazy
(translated in the language of the request that shows them).

`choice_label(obj, "relation")` in Python, `{{ member|choice_label:"relation" }}` in
templates (core/templatetags/choices.py): the same text as `get_relation_display()`.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


@functools.cache
def _labels(field: models.Field) -> dict[Any, Any]:
    """A field's choices as {value: label}, labels still lazy."""
    return dict(make_hashable(field.flatchoices))


def choice_label(obj: models.Model, field_name: str) -> Any:
    """What `obj.get_<field_name>_display()` returns: the label of the value, or the value
    itself when it is not one of the choices."""
    field = obj._meta.get_field(field_name)
    value = getattr(obj, field.attname)
    return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
