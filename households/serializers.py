"""Shapes the registry API shares between operations: what it shows, and how it takes references.

Responses name people and places by public ids (UUIDs, area codes) and show identity numbers
only masked. The input serializers of single operations live nested in their APIView (api.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from households.models import Area, Category, Enrolment, Household, Member
from households.selectors import household_detail_members, household_enrolments

# ---- references in input ---------------------------------------------------------------


class _Visible:
    """A reference resolved only among the rows the requesting user may see.

    Missing and out of scope read the same, so a reference tells nothing about other areas.
    """

    default_error_messages = {"does_not_exist": _("未找到该记录，或不在您的管辖范围内。")}
    lookup = "uuid"

    def __init__(self, *, visible: Callable[..., QuerySet], **kwargs: Any) -> None:
        self.visible = visible
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        key = super().to_internal_value(data)
        try:
            return self.visible(actor=self.context["request"].user).get(**{self.lookup: key})
        except ObjectDoesNotExist:
            self.fail("does_not_exist")


class VisibleUUIDField(_Visible, serializers.UUIDField):
    """A member (or other public row) given by its UUID."""


class VisibleAreaField(_Visible, serializers.CharField):
    """An area given by its statistical division code."""

    default_error_messages = {"does_not_exist": _("区划代码不存在，或不在您的管辖范围内。")}
    lookup = "code"


# ---- what responses show ---------------------------------------------------------------


class AreaOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Area.Level.choices)
    parent = serializers.CharField(source="parent.code", allow_null=True)


class AreaRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MemberRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()


class HeadSerializer(MemberRefSerializer):
    id_number_masked = serializers.CharField()


class MemberOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    household = serializers.UUIDField(source="household.uuid")
    name = serializers.CharField()
    id_number_masked = serializers.CharField()
    sex = serializers.ChoiceField(choices=Member.Sex.choices)
    birth_date = serializers.DateField()
    relation = serializers.ChoiceField(choices=Member.Relation.choices)
    phone = serializers.CharField()
    disability_type = serializers.ChoiceField(choices=Member.DisabilityType.choices)
    disability_grade = serializers.ChoiceField(
        choices=Member.DisabilityGrade.choices, allow_null=True
    )
    health = serializers.ChoiceField(choices=Member.Health.choices)
    illness = serializers.CharField()
    has_caregiver = serializers.BooleanField()
    labour_capacity = serializers.ChoiceField(choices=Member.LabourCapacity.choices)
    employment = serializers.ChoiceField(choices=Member.Employment.choices)
    schooling = serializers.ChoiceField(choices=Member.Schooling.choices)
    lives_alone = serializers.BooleanField()
    monthly_income = serializers.DecimalField(max_digits=10, decimal_places=2)
    status = serializers.ChoiceField(choices=Member.Status.choices)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EnrolmentOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    household = serializers.UUIDField(source="household.uuid")
    category = serializers.ChoiceField(source="category_id", choices=Category.Code.choices)
    category_name = serializers.CharField(source="category.name")
    member = MemberRefSerializer(allow_null=True, help_text=_("特困按人认定的救助对象"))
    members = MemberRefSerializer(many=True, help_text=_("覆盖成员"))
    status = serializers.ChoiceField(choices=Enrolment.Status.choices)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    monthly_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    review_due = serializers.DateField(allow_null=True)
    reason = serializers.CharField()
    applied_by = serializers.StringRelatedField(allow_null=True)
    decided_by = serializers.StringRelatedField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class HouseholdOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    area = AreaRefSerializer()
    address = serializers.CharField()
    phone = serializers.CharField()
    head = HeadSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=Household.Status.choices)
    tier = serializers.CharField()
    tier_reason = serializers.CharField()
    worker = serializers.StringRelatedField(allow_null=True)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class HouseholdDetailOutputSerializer(HouseholdOutputSerializer):
    """One household with its members and enrolments, each read through its selector."""

    note = serializers.CharField()
    members = serializers.SerializerMethodField()
    enrolments = serializers.SerializerMethodField()

    @extend_schema_field(MemberOutputSerializer(many=True))
    def get_members(self, household: Household) -> list[dict[str, Any]]:
        members = household_detail_members(household=household).select_related("household")
        return MemberOutputSerializer(members, many=True).data

    @extend_schema_field(EnrolmentOutputSerializer(many=True))
    def get_enrolments(self, household: Household) -> list[dict[str, Any]]:
        enrolments = household_enrolments(household=household).select_related("household")
        return EnrolmentOutputSerializer(enrolments, many=True).data
