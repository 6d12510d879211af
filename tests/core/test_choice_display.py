"""core.choices' labels read as Django's own get_FOO_display(), in both languages, in
Python and through the template filter."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.template import Context, Template
from django.utils import translation

from core.choices import choice_label
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
def test_every_choice_and_an_unknown_value_read_as_django_displays_them(language):
    with translation.override(language):
        for model, field in _fields_with_choices():
            values = [value for value, _label in field.flatchoices] + ["not-a-choice", None]
            for value in values:
                instance = model(**{field.attname: value})
                ours = choice_label(instance, field.name)
                django = getattr(instance, f"get_{field.name}_display")()
                assert ours == django, (model.__name__, field.name, value)
                assert type(ours) is type(django), (model.__name__, field.name, value)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_template_filter_shows_the_same_label(language):
    from households.models import Member

    template = Template('{% load choices %}{{ m|choice_label:"relation" }}')
    with translation.override(language):
        member = Member(relation=Member.Relation.choices[1][0])
        shown = template.render(Context({"m": member}))
        assert shown == str(member.get_relation_display())
