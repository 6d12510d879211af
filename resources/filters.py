from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import Category
from resources.models import NEED_TYPE_CHOICES, Provider, Resource


def _name(queryset: QuerySet, _name: str, value: str) -> QuerySet:
    value = value.strip()
    return queryset.filter(name__contains=value) if value else queryset


def _available(queryset: QuerySet, _name: str, value: bool | None) -> QuerySet:
    if value is None:
        return queryset
    today = timezone.localdate()
    now = (
        Q(active=True, provider__active=True)
        & (Q(available_from__isnull=True) | Q(available_from__lte=today))
        & (Q(available_until__isnull=True) | Q(available_until__gte=today))
    )
    return queryset.filter(now) if value else queryset.exclude(now)


class ProviderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_name, label=_("名称"))
    kind = django_filters.ChoiceFilter(choices=Provider.Kind.choices, label=_("类型"))
    active = django_filters.BooleanFilter(label=_("在用"))

    class Meta:
        model = Provider
        fields = ["q", "kind", "active"]


class ResourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_name, label=_("名称"))
    pool_list = django_filters.ChoiceFilter(choices=Resource.PoolList.choices, label=_("清单"))
    kind = django_filters.ChoiceFilter(choices=Resource.Kind.choices, label=_("资源类型"))
    provider = django_filters.UUIDFilter(field_name="provider__uuid", label=_("救助力量"))
    need_type = django_filters.ChoiceFilter(
        choices=NEED_TYPE_CHOICES,
        field_name="need_types",
        lookup_expr="contains",
        method="filter_need_type",
        label=_("需求类型"),
    )
    category = django_filters.ChoiceFilter(
        choices=Category.Code.choices, method="filter_category", label=_("救助类别")
    )
    available = django_filters.BooleanFilter(method=_available, label=_("当前可用"))

    class Meta:
        model = Resource
        fields = ["q", "pool_list", "kind", "provider", "need_type", "category", "available"]

    def filter_need_type(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return queryset.filter(need_types__contains=[value])

    def filter_category(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return queryset.filter(Q(categories=[]) | Q(categories__contains=[value]))
