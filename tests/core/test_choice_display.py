"""get_FOO_display() of our models reads as Django's own, in both languages."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from core.models import BaseModel

pytestmark = pytest.mark.django_db


def _fields_with_choices() -> list[tuple[type[models.Model], models.Field]]:
    return [
        (model, field)
        for model in apps.get_models()
        if issubclass(model, BaseModel)
        for field in model._meta.concrete_fields
        if field.choices
    ]


def test_there_are_fields_to_compare():
    assert len(_fields_with_choices()) > 10


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_choice_and_an_unknown_value_display_as_django_displays_them(language):
    with translation.override(language):
        for model, field in _fields_with_choices():
            values = [value for value, _label in field.flatchoices] + ["not-a-choice", None]
            for value in values:
                instance = model(**{field.attname: value})
                ours = getattr(instance, f"get_{field.name}_display")()
                django = models.Model._get_FIELD_display(instance, field)
                assert ours == django, (model.__name__, field.name, value)
                assert type(ours) is type(django), (model.__name__, field.name, value)
