"""Shapes the registry API shares between operations: what it shows, and how it takes references.

Responses name people and places by public ids (UUIDs, area codes) and show identity numbers
only masked. The input serializers of single operations live nested in their APIView (api.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Choices, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from core.masking import mask_phone, phone_for
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

    def run_validation(self, data: Any = empty) -> Any:
        # The key's own checks first (its type, no NUL character): a key the database cannot
        # hold is invalid input, not a query that fails.
        key = super().run_validation(data)
        if key is None:
            return None
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


class StatusField(serializers.ChoiceField):
    """The status of a household, member or enrolment, as a named enum in the schema.

    Three models call their field "status" with three sets of values; naming each set after
    its model (HouseholdStatusEnum, …) keeps generated clients from guessing names.
    """

    def __init__(self, choices: type[Choices], **kwargs: Any) -> None:
        self.choices_class = choices
        super().__init__(choices=choices.choices, **kwargs)


class _StatusFieldSchema(OpenApiSerializerFieldExtension):
    target_class = StatusField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = build_choice_field(self.target)
        schema.pop("x-spec-enum-id", None)
        name = self.target.choices_class.__qualname__.replace(".", "") + "Enum"
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=self.target.choices_class
        )
        component.schema = schema
        auto_schema.registry.register_on_missing(component)
        return component.ref


# ---- input shared by several operations ------------------------------------------------


# An update body: any subset of the fields, but always the version it was read at.
# (Comments, not docstrings, on these bases: the schema would publish them on every subclass.)
class VersionedInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text=_("读取时的 version；已被他人修改则返回 409，不作任何更改")
    )


class _VersionedInputSchema(OpenApiSerializerExtension):
    """The schema treats every PATCH body as partial; `version` stays required all the same."""

    target_class = VersionedInputSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["required"] = ["version"]
        return schema


# A member's own fields other than name, identity number and relation; all optional.
class MemberFieldsInputSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    disability_type = serializers.ChoiceField(
        choices=Member.DisabilityType.choices, required=False, allow_blank=True
    )
    disability_grade = serializers.ChoiceField(
        choices=Member.DisabilityGrade.choices, required=False, allow_null=True
    )
    health = serializers.ChoiceField(choices=Member.Health.choices, required=False)
    illness = serializers.CharField(max_length=100, required=False, allow_blank=True)
    has_caregiver = serializers.BooleanField(required=False, allow_null=True)
    labour_capacity = serializers.ChoiceField(choices=Member.LabourCapacity.choices, required=False)
    employment = serializers.ChoiceField(choices=Member.Employment.choices, required=False)
    schooling = serializers.ChoiceField(choices=Member.Schooling.choices, required=False)
    lives_alone = serializers.BooleanField(required=False, allow_null=True)
    monthly_income = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)


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


# Lists leave phone numbers out (STYLE 3.4: lists show personal data masked or not at all);
# one household or member at a time shows them in full.
class MemberOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    household = serializers.UUIDField(source="household.uuid")
    name = serializers.CharField()
    id_number_masked = serializers.CharField()
    sex = serializers.ChoiceField(choices=Member.Sex.choices)
    birth_date = serializers.DateField()
    relation = serializers.ChoiceField(choices=Member.Relation.choices)
    disability_type = serializers.ChoiceField(choices=Member.DisabilityType.choices)
    disability_grade = serializers.ChoiceField(
        choices=Member.DisabilityGrade.choices, allow_null=True
    )
    health = serializers.ChoiceField(choices=Member.Health.choices)
    illness = serializers.CharField()
    has_caregiver = serializers.BooleanField(allow_null=True)
    labour_capacity = serializers.ChoiceField(choices=Member.LabourCapacity.choices)
    employment = serializers.ChoiceField(choices=Member.Employment.choices)
    schooling = serializers.ChoiceField(choices=Member.Schooling.choices)
    lives_alone = serializers.BooleanField(allow_null=True)
    monthly_income = serializers.DecimalField(max_digits=10, decimal_places=2)
    status = StatusField(Member.Status)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PhoneField(serializers.CharField):
    """A phone number as the requesting user may see it (core.masking.phone_for): masked
    for an auditor, and masked when no request is in the context."""

    def to_representation(self, value: Any) -> str:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return phone_for(user, value) if user is not None else mask_phone(value)


class MemberDetailOutputSerializer(MemberOutputSerializer):
    phone = PhoneField()


class EnrolmentOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    household = serializers.UUIDField(source="household.uuid")
    category = serializers.ChoiceField(source="category_id", choices=Category.Code.choices)
    category_name = serializers.CharField(source="category.name")
    member = MemberRefSerializer(allow_null=True, help_text=_("特困按人认定的救助对象"))
    members = MemberRefSerializer(many=True, help_text=_("覆盖成员"))
    status = StatusField(Enrolment.Status)
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
    head = HeadSerializer(allow_null=True)
    status = StatusField(Household.Status)
    tier = serializers.CharField()
    tier_reason = serializers.CharField()
    worker = serializers.StringRelatedField(allow_null=True)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class HouseholdDetailOutputSerializer(HouseholdOutputSerializer):
    """One household with its members and enrolments."""

    # Both are read through their selectors from `household.<related>`, so every row already
    # knows its household and serializing it costs no query.

    phone = PhoneField()
    note = serializers.CharField()
    members = serializers.SerializerMethodField()
    enrolments = serializers.SerializerMethodField()

    @extend_schema_field(MemberDetailOutputSerializer(many=True))
    def get_members(self, household: Household) -> list[dict[str, Any]]:
        members = household_detail_members(household=household)
        return MemberDetailOutputSerializer(members, many=True, context=self.context).data

    @extend_schema_field(EnrolmentOutputSerializer(many=True))
    def get_enrolments(self, household: Household) -> list[dict[str, Any]]:
        enrolments = household_enrolments(household=household)
        return EnrolmentOutputSerializer(enrolments, many=True).data
