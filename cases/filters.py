"""Filters of case-work lists, applied by the selectors on already scoped querysets."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.scope import within
from cases.models import FollowUp, ServiceActivity, Tier, Visit
from households.models import Area


def _area_prefix(value: str) -> str | None:
    area = Area.objects.filter(code=value).only("prefix").first()
    return area.prefix if area is not None else None


class VisitFilter(django_filters.FilterSet):
    household = django_filters.UUIDFilter(field_name="household__uuid", label=_("家庭"))
    worker = django_filters.CharFilter(field_name="worker__username", label=_("走访社工的用户名"))
    method = django_filters.ChoiceFilter(choices=Visit.Method.choices, label=_("走访方式"))
    date_after = django_filters.DateFilter(
        field_name="visit_date", lookup_expr="gte", label=_("走访日期不早于")
    )
    date_before = django_filters.DateFilter(
        field_name="visit_date", lookup_expr="lte", label=_("走访日期不晚于")
    )
    area = django_filters.CharFilter(method="filter_area", label=_("区划代码"))

    class Meta:
        model = Visit
        fields = ["household", "worker", "method", "date_after", "date_before", "area"]

    def filter_area(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        prefix = _area_prefix(value)
        if prefix is None:
            return queryset.none()
        return queryset.filter(within("household__area_code", prefix))


class FollowUpFilter(django_filters.FilterSet):
    assignee = django_filters.CharFilter(
        method="filter_assignee", label=_("负责社工的用户名；me 表示本人，none 表示未分配")
    )
    status = django_filters.ChoiceFilter(choices=FollowUp.Status.choices, label=_("状态"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("风险分层"))
    due_after = django_filters.DateFilter(
        field_name="due", lookup_expr="gte", label=_("应跟进日期不早于")
    )
    due_before = django_filters.DateFilter(
        field_name="due", lookup_expr="lte", label=_("应跟进日期不晚于")
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("已逾期（待跟进且应跟进日期早于今天）")
    )
    household = django_filters.UUIDFilter(field_name="household__uuid", label=_("家庭"))
    area = django_filters.CharFilter(method="filter_area", label=_("区划代码"))

    class Meta:
        model = FollowUp
        fields = [
            "assignee",
            "status",
            "tier",
            "due_after",
            "due_before",
            "overdue",
            "household",
            "area",
        ]

    def filter_assignee(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        value = value.strip()
        if value == "me":
            user = getattr(self.request, "user", None)
            return queryset.filter(assignee_id=getattr(user, "pk", None))
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee__username=value)

    def filter_overdue(self, queryset: QuerySet, _name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        late = Q(status=FollowUp.Status.OPEN, due__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_area(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        prefix = _area_prefix(value)
        if prefix is None:
            return queryset.none()
        return queryset.filter(within("household__area_code", prefix))


class ServiceActivityFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ServiceActivity.Kind.choices, label=_("服务类型"))
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ServiceActivity
        fields = ["kind", "date_after", "date_before"]
