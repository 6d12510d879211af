from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from access.scope import within
from households.models import Area
from matching.models import Need, Referral


def _area(queryset: QuerySet, _name: str, value: str) -> QuerySet:
    """Needs of households in the area, and self-requests (一键求助) sent to a community in
    it: the scope rule's two halves, so the dashboard's counts and this list agree."""
    area = Area.objects.filter(code=value).only("prefix").first()
    if area is None:
        return queryset.none()
    return queryset.filter(
        within("household__area_code", area.prefix)
        | (Q(household__isnull=True) & within("area_code", area.prefix))
    )


class NeedFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Need.Status.choices, label=_("状态"))
    type = django_filters.ChoiceFilter(choices=Need.Type.choices, label=_("需求类型"))
    subtype = django_filters.ChoiceFilter(choices=Need.Subtype.choices, label=_("需求细类"))
    urgency = django_filters.TypedChoiceFilter(
        choices=Need.Urgency.choices, coerce=int, label=_("紧急程度")
    )
    source = django_filters.ChoiceFilter(choices=Need.Source.choices, label=_("来源"))
    household = django_filters.UUIDFilter(field_name="household__uuid", label=_("家庭"))
    area = django_filters.CharFilter(method=_area, label=_("区划代码"))

    class Meta:
        model = Need
        fields = ["status", "type", "subtype", "urgency", "source", "household", "area"]


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Referral.Status.choices, label=_("状态"))
    household = django_filters.UUIDFilter(field_name="household__uuid", label=_("家庭"))
    need = django_filters.UUIDFilter(field_name="need__uuid", label=_("需求"))
    resource = django_filters.UUIDFilter(field_name="resource__uuid", label=_("资源"))
    campaign = django_filters.UUIDFilter(field_name="campaign__uuid", label=_("专项活动"))

    class Meta:
        model = Referral
        fields = ["status", "household", "need", "resource", "campaign"]
