"""Query filters of the account lists (pages and API)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from access.scope import within
from households.models import Area, User


def _search(queryset: QuerySet, _name: str, value: str) -> QuerySet:
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(Q(username__icontains=value) | Q(display_name__contains=value))


def _area(queryset: QuerySet, _name: str, value: str) -> QuerySet:
    area = Area.objects.filter(code=value).only("prefix").first()
    if area is None:
        return queryset.none()
    return queryset.filter(within("area__prefix", area.prefix))


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search, label=_("用户名或姓名"))
    role = django_filters.ChoiceFilter(choices=User.Role.choices, label=_("角色"))
    area = django_filters.CharFilter(method=_area, label=_("区划代码（含下级）"))
    active = django_filters.BooleanFilter(field_name="is_active", label=_("在用"))

    class Meta:
        model = User
        fields = ["q", "role", "area", "active"]
