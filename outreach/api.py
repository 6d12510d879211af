"""The API of 政策找人: /api/v1/policy-rules/, /api/v1/leads/ and /api/v1/exit-flags/.

One APIView per operation, like the other apps: parse, fetch through a selector (404 when
missing or out of scope, 403 when visible but not the actor's to change), one service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from core.api import FORBIDDEN, INVALID, STALE, WRITE_ERRORS, JsonApi, filter_parameters
from core.api import NOT_FOUND as NOT_FOUND_
from core.api import validated as _input
from core.pagination import KeysetPagination, paginated_response
from households.serializers import StatusField
from matching.models import Need
from outreach import selectors, services
from outreach.filters import ExitFlagFilter, LeadFilter, PolicyRuleFilter
from outreach.models import ExitFlag, Lead
from outreach.predicates import CATALOGUE
from outreach.rule_words import describe

if TYPE_CHECKING:
    from rest_framework.request import Request


class LeadPolicyRef(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()


class LeadHouseholdRef(serializers.Serializer):
    uuid = serializers.UUIDField()
    address = serializers.CharField()
    head = serializers.CharField(source="head.name", allow_null=True, default=None)


class LeadMemberRef(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()


_CODES = format_lazy("{}{}", _("判定条件代码："), "、".join(CATALOGUE))

# ---- policy rules --------------------------------------------------------------------------


@extend_schema_serializer(component_name="PolicyRule")
class PolicyRuleOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    policy = LeadPolicyRef()
    code = serializers.CharField(help_text=_CODES)
    params = serializers.DictField(help_text=_("该判定条件的参数"))
    words = serializers.SerializerMethodField(help_text=_("条件的文字说明"))
    active = serializers.BooleanField()
    version = serializers.IntegerField()

    def get_words(self, rule: object) -> str:
        return describe(rule.code, rule.params or {})


class PolicyRuleListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="policy_rule_list",
        parameters=filter_parameters(PolicyRuleFilter),
        responses={200: PolicyRuleOutputSerializer(many=True), **INVALID},
    )
    def get(self, request: Request) -> Response:
        rules = selectors.policy_rule_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=rules, serializer_class=PolicyRuleOutputSerializer, request=request, view=self
        )


class PolicyRuleCreateApi(JsonApi):
    @extend_schema_serializer(component_name="PolicyRuleCreate")
    class InputSerializer(serializers.Serializer):
        policy = serializers.UUIDField(help_text=_("政策类资源的 UUID"))
        code = serializers.CharField(max_length=32, help_text=_CODES)
        params = serializers.DictField(required=False, default=dict)
        active = serializers.BooleanField(required=False, default=True)

    @extend_schema(
        operation_id="policy_rule_create",
        request=InputSerializer,
        responses={201: PolicyRuleOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _input(self, request)
        policy = selectors.policy_get_for_edit(actor=request.user, policy_id=data["policy"])
        rule = services.policy_rule_create(
            actor=request.user,
            policy=policy,
            code=data["code"],
            params=data["params"],
            active=data["active"],
        )
        return Response(PolicyRuleOutputSerializer(rule).data, status=status.HTTP_201_CREATED)


class PolicyRuleDetailApi(JsonApi):
    @extend_schema(
        operation_id="policy_rule_get", responses={200: PolicyRuleOutputSerializer, **NOT_FOUND_}
    )
    def get(self, request: Request, rule_id: UUID) -> Response:
        rule = selectors.policy_rule_get(actor=request.user, rule_id=rule_id)
        return Response(PolicyRuleOutputSerializer(rule).data)


class PolicyRuleUpdateApi(JsonApi):
    @extend_schema_serializer(component_name="PolicyRuleUpdate")
    class InputSerializer(serializers.Serializer):
        params = serializers.DictField(required=False)
        active = serializers.BooleanField(required=False)
        version = serializers.IntegerField(help_text=_("读取时的版本号，防止覆盖他人的修改"))

    @extend_schema(
        operation_id="policy_rule_update",
        request=InputSerializer,
        responses={200: PolicyRuleOutputSerializer, **WRITE_ERRORS, **STALE},
    )
    def patch(self, request: Request, rule_id: UUID) -> Response:
        rule = selectors.policy_rule_get_for_edit(actor=request.user, rule_id=rule_id)
        data = _input(self, request)
        version = data.pop("version")
        rule = services.policy_rule_update(
            actor=request.user, rule=rule, data=data, expected_version=version
        )
        return Response(PolicyRuleOutputSerializer(rule).data)


# ---- leads ---------------------------------------------------------------------------------


@extend_schema_serializer(component_name="Lead")
class LeadOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    policy = LeadPolicyRef()
    household = LeadHouseholdRef()
    member = LeadMemberRef(allow_null=True)
    community = serializers.CharField(source="area_code", help_text=_("家庭区划代码"))
    reason = serializers.CharField()
    state = StatusField(Lead.State)
    found_on = serializers.DateField()
    need = serializers.UUIDField(source="need.uuid", allow_null=True, default=None)
    referral = serializers.UUIDField(source="referral.uuid", allow_null=True, default=None)
    dismiss_reason = serializers.CharField()
    version = serializers.IntegerField()


class LeadListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="lead_list",
        parameters=filter_parameters(LeadFilter),
        responses={200: LeadOutputSerializer(many=True), **INVALID},
    )
    def get(self, request: Request) -> Response:
        leads = selectors.lead_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=leads.select_related("need", "referral"),
            serializer_class=LeadOutputSerializer,
            request=request,
            view=self,
        )


class LeadDetailApi(JsonApi):
    @extend_schema(operation_id="lead_get", responses={200: LeadOutputSerializer, **NOT_FOUND_})
    def get(self, request: Request, lead_id: UUID) -> Response:
        lead = selectors.lead_get(actor=request.user, lead_id=lead_id)
        return Response(LeadOutputSerializer(lead).data)


class LeadActApi(JsonApi):
    @extend_schema_serializer(component_name="LeadAct")
    class InputSerializer(serializers.Serializer):
        urgency = StatusField(Need.Urgency, required=False, default=Need.Urgency.MEDIUM)
        subtype = StatusField(Need.Subtype, required=False, allow_null=True, default=None)
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
        version = serializers.IntegerField(required=False)

    @extend_schema(
        operation_id="lead_act",
        request=InputSerializer,
        responses={200: LeadOutputSerializer, **WRITE_ERRORS, **STALE},
    )
    def post(self, request: Request, lead_id: UUID) -> Response:
        lead = selectors.lead_get_for_work(actor=request.user, lead_id=lead_id)
        data = _input(self, request)
        lead = services.lead_act(
            actor=request.user,
            lead=lead,
            urgency=data["urgency"],
            subtype=data["subtype"],
            note=data["note"],
            expected_version=data.get("version"),
        )
        return Response(LeadOutputSerializer(lead).data)


class LeadDismissApi(JsonApi):
    @extend_schema_serializer(component_name="LeadDismiss")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=200)
        version = serializers.IntegerField(required=False)

    @extend_schema(
        operation_id="lead_dismiss",
        request=InputSerializer,
        responses={200: LeadOutputSerializer, **WRITE_ERRORS, **STALE},
    )
    def post(self, request: Request, lead_id: UUID) -> Response:
        lead = selectors.lead_get_for_work(actor=request.user, lead_id=lead_id)
        data = _input(self, request)
        lead = services.lead_dismiss(
            actor=request.user,
            lead=lead,
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        return Response(LeadOutputSerializer(lead).data)


# ---- 应退尽退 -------------------------------------------------------------------------------


@extend_schema_serializer(component_name="ExitFlag")
class ExitFlagOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    enrolment = serializers.UUIDField(source="enrolment.uuid")
    category = serializers.CharField(source="enrolment.category_id")
    household = LeadHouseholdRef()
    community = serializers.CharField(source="area_code", help_text=_("家庭区划代码"))
    kind = StatusField(ExitFlag.Kind)
    reason = serializers.CharField()
    state = StatusField(ExitFlag.State)
    found_on = serializers.DateField()
    resolve_note = serializers.CharField()
    version = serializers.IntegerField()


class ExitFlagListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="exit_flag_list",
        parameters=filter_parameters(ExitFlagFilter),
        responses={200: ExitFlagOutputSerializer(many=True), **INVALID, **FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        flags = selectors.exit_flag_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=flags, serializer_class=ExitFlagOutputSerializer, request=request, view=self
        )


class ExitFlagResolveApi(JsonApi):
    @extend_schema_serializer(component_name="ExitFlagResolve")
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=200)
        version = serializers.IntegerField(required=False)

    @extend_schema(
        operation_id="exit_flag_resolve",
        request=InputSerializer,
        responses={200: ExitFlagOutputSerializer, **WRITE_ERRORS, **STALE},
    )
    def post(self, request: Request, flag_id: UUID) -> Response:
        flag = selectors.exit_flag_get_for_work(actor=request.user, flag_id=flag_id)
        data = _input(self, request)
        flag = services.exit_flag_resolve(
            actor=request.user, flag=flag, note=data["note"], expected_version=data.get("version")
        )
        return Response(ExitFlagOutputSerializer(flag).data)
