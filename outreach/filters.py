"""Filters of leads, 应退尽退 flags and policy rules: applied inside the selectors, on rows
already scoped."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from outreach.models import ExitFlag, Lead, PolicyRule


def _community(queryset: QuerySet, _name: str, value: str) -> QuerySet:
    """Rows of households in the area with this code (any level), through the scope helper."""
    from outreach.selectors import under_area

    return under_area(queryset, code=value)


class LeadFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=Lead.State.choices, label=_("状态"))
    policy = django_filters.UUIDFilter(field_name="policy__uuid", label=_("政策"))
    household = django_filters.UUIDFilter(field_name="household__uuid", label=_("家庭"))
    area = django_filters.CharFilter(method=_community, label=_("区划代码"))

    class Meta:
        model = Lead
        fields = ["state", "policy", "household", "area"]


class ExitFlagFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ExitFlag.State.choices, label=_("状态"))
    kind = django_filters.ChoiceFilter(choices=ExitFlag.Kind.choices, label=_("提示类型"))
    household = django_filters.UUIDFilter(field_name="household__uuid", label=_("家庭"))
    area = django_filters.CharFilter(method=_community, label=_("区划代码"))

    class Meta:
        model = ExitFlag
        fields = ["state", "kind", "household", "area"]


class PolicyRuleFilter(django_filters.FilterSet):
    policy = django_filters.UUIDFilter(field_name="policy__uuid", label=_("政策"))
    active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = PolicyRule
        fields = ["policy", "active"]
