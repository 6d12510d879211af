"""`{{ member|choice_label:"relation" }}`: a choice's label, as get_relation_display() shows
it, from the table core.choices keeps per field."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models

from core.choices import choice_label as _choice_label

register = template.Library()


@register.filter
def choice_label(obj: models.Model, field_name: str) -> Any:
    return _choice_label(obj, field_name)
