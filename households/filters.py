from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.scope import within
from core.url_guard import ID_NUMBER_IN_QUERY
from households import idnumber
from households.models import Area, Category, Enrolment, Household, Member


def _search(queryset: QuerySet, _name: str, value: str) -> QuerySet:
    """Exact identity number (through its keyed hash), else a name or address fragment."""
    value = value.strip()
    if not value:
        return queryset
    digest = idnumber.search_digest(value)
    if digest is not None:
        matching = Member.objects.filter(household=OuterRef("pk"), id_number_hash=digest)
        return queryset.filter(Exists(matching))
    by_name = Member.objects.filter(household=OuterRef("pk"), name__contains=value)
    return queryset.filter(Q(address__contains=value) | Exists(by_name))


def _area(queryset: QuerySet, _name: str, value: str) -> QuerySet:
    area = Area.objects.filter(code=value).only("prefix").first()
    if area is None:
        return queryset.none()
    return queryset.filter(within("area_code", area.prefix))


def _category(queryset: QuerySet, _name: str, value: str) -> QuerySet:
    today = timezone.localdate()
    current = Enrolment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today),
        household=OuterRef("pk"),
        category=value,
        status__in=[Enrolment.Status.APPROVED, Enrolment.Status.APPLIED],
    )
    return queryset.filter(Exists(current))


ANY_CATEGORY = "any"
ENROLLED_CHOICES = [(ANY_CATEGORY, _("任一类别")), *Category.Code.choices]


def _active_enrolments(category: str, day: Any) -> QuerySet:
    """Enrolments of `category` (or any) active on `day` (today if not given): the dashboard's
    rule, so a drill-down lists exactly what its number counts (pending ones are not)."""
    from households.ledgers.common import enrolment_active_on  # the ledgers import this module

    qs = Enrolment.objects.filter(enrolment_active_on(day or timezone.localdate()))
    return qs if category == ANY_CATEGORY else qs.filter(category=category)


class EnrolledFilterMixin(django_filters.FilterSet):
    """`enrolled` (a category, or any) and `on` (a day): rows counted by the caseload table."""

    enrolled = django_filters.ChoiceFilter(
        choices=ENROLLED_CHOICES, method="filter_enrolled", label=_("享受救助（按统计口径）")
    )
    on = django_filters.DateFilter(method="filter_on", label=_("统计日期"))

    def filter_on(self, queryset: QuerySet, _name: str, _value: Any) -> QuerySet:
        return queryset  # read by filter_enrolled

    def filter_enrolled(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        active = _active_enrolments(value, self.form.cleaned_data.get("on"))
        return queryset.filter(Exists(active.filter(**{self.enrolled_path: OuterRef("pk")})))


class HouseholdFilter(EnrolledFilterMixin):
    enrolled_path = "household"

    q = django_filters.CharFilter(
        method=_search, label=_("姓名或地址（按身份证号查找请用 POST /api/v1/households/search/）")
    )
    area = django_filters.CharFilter(method=_area, label=_("区划代码"))
    category = django_filters.ChoiceFilter(
        choices=Category.Code.choices, method=_category, label=_("救助类别")
    )
    status = django_filters.ChoiceFilter(choices=Household.Status.choices, label=_("状态"))
    tier = django_filters.CharFilter(label=_("风险分层"))

    class Meta:
        model = Household
        fields = ["q", "area", "category", "enrolled", "on", "status", "tier"]


class MemberFilter(EnrolledFilterMixin):
    enrolled_path = "members"

    household = django_filters.UUIDFilter(field_name="household__uuid", label=_("家庭"))
    q = django_filters.CharFilter(
        method="filter_q", label=_("姓名（按身份证号查找请用 POST /api/v1/members/search/）")
    )
    status = django_filters.ChoiceFilter(choices=Member.Status.choices, label=_("状态"))

    class Meta:
        model = Member
        fields = ["household", "q", "status", "enrolled", "on"]

    def filter_q(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        value = value.strip()
        digest = idnumber.search_digest(value)
        if digest is not None:
            return queryset.filter(id_number_hash=digest)
        return queryset.filter(name__contains=value) if value else queryset


class EnrolmentFilter(django_filters.FilterSet):
    household = django_filters.UUIDFilter(field_name="household__uuid", label=_("家庭"))
    category = django_filters.ChoiceFilter(choices=Category.Code.choices, label=_("救助类别"))
    status = django_filters.ChoiceFilter(choices=Enrolment.Status.choices, label=_("状态"))
    area = django_filters.CharFilter(method="filter_area", label=_("区划代码"))

    class Meta:
        model = Enrolment
        fields = ["household", "category", "status", "area"]

    def filter_area(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        area = Area.objects.filter(code=value).only("prefix").first()
        if area is None:
            return queryset.none()
        return queryset.filter(within("household__area_code", area.prefix))


# How long an application has waited, at least (days since it was submitted).
WAITED_CHOICES = [
    ("7", _("7天及以上")),
    ("15", _("15天及以上")),
    ("30", _("30天及以上")),
    ("60", _("60天及以上")),
]


class PendingFilter(django_filters.FilterSet):
    """Applications awaiting a decision, by area (street, community), category and wait."""

    street = django_filters.CharFilter(method="filter_area", label=_("街道"))
    community = django_filters.CharFilter(method="filter_area", label=_("社区"))
    category = django_filters.ChoiceFilter(choices=Category.Code.choices, label=_("救助类别"))
    waited = django_filters.ChoiceFilter(
        choices=WAITED_CHOICES, method="filter_waited", label=_("已等待")
    )

    class Meta:
        model = Enrolment
        fields = ["street", "community", "category", "waited"]

    def filter_area(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        area = Area.objects.filter(code=value).only("prefix").first()
        if area is None:
            return queryset.none()
        return queryset.filter(within("household__area_code", area.prefix))

    def filter_waited(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return queryset.filter(created_at__lt=submitted_before(int(value)))


def submitted_before(days: int) -> Any:
    """The start of the local day `days` - 1 days ago: submitted before it, an application has
    waited `days` days or more (days counted as on the cards: today minus the day it came)."""
    day = timezone.localdate() - dt.timedelta(days=days - 1)
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Area.Level.choices, label=_("层级"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级区划代码"))

    class Meta:
        model = Area
        fields = ["level", "parent"]


# An identity number in a URL lands in browser history and proxy logs: the GET lists refuse
# one in `q`, and the number is looked up by POST instead (households:id_search, and
# POST /api/v1/households/search/ and /api/v1/members/search/). The words are the URL guard's,
# which refuses the same number in any other parameter before a view runs.


def refuse_id_number_in_query(params: Any) -> None:
    """A 400 (ValidationError on `q`) when a list's query string carries an identity number."""
    if idnumber.looks_like_id_number(str(params.get("q") or "")):
        raise ValidationError({"q": [ID_NUMBER_IN_QUERY]})
