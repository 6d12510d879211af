"""Case work's REST API (/api/v1/): visits, follow-ups and tier rules. One APIView per operation.

Handlers parse the shape of their input, fetch objects through an access selector (404 when
missing or out of scope, 403 when visible but not the actor's to change), call one service
and serialize the result. Lists are keyset-paginated (core.pagination).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from cases import selectors, services
from cases.filters import FollowUpFilter, VisitFilter
from cases.models import FINDING_AREAS, FollowUp, Tier, Visit
from cases.predicates import predicate_choices
from core.api import (
    FORBIDDEN as _FORBIDDEN,
)
from core.api import (
    INVALID as _INVALID,
)
from core.api import (
    NOT_FOUND as _NOT_FOUND,
)
from core.api import STALE
from core.api import (
    WRITE_ERRORS as _WRITE_ERRORS,
)
from core.api import (
    JsonApi as _Api,
)
from core.api import (
    filter_parameters as _filter_parameters,
)
from core.api import (
    validated as _input,
)
from core.pagination import KeysetPagination, paginated_response
from households.models import Member, User
from households.selectors import member_qs_visible_to
from households.serializers import VersionedInputSerializer, VisibleUUIDField

if TYPE_CHECKING:
    from rest_framework.request import Request


class UserRefSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="__str__")


# ---- visits ----------------------------------------------------------------------------


class FindingSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Visit.Finding.choices, allow_blank=True, default="")
    note = serializers.CharField(allow_blank=True, default="")


class FindingsSerializer(serializers.Serializer):
    """The six areas of life a visit looks at, each a short status and free text."""

    living = FindingSerializer(required=False, help_text=_("基本生活"))
    housing = FindingSerializer(required=False, help_text=_("住房"))
    health = FindingSerializer(required=False, help_text=_("健康"))
    employment = FindingSerializer(required=False, help_text=_("就业"))
    schooling = FindingSerializer(required=False, help_text=_("就学"))
    mood = FindingSerializer(required=False, help_text=_("情绪与家庭关系"))


class VisitOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    household = serializers.UUIDField(source="household.uuid")
    worker = UserRefSerializer(allow_null=True)
    companions = serializers.CharField()
    method = serializers.ChoiceField(choices=Visit.Method.choices)
    visited_at = serializers.DateTimeField()
    visit_date = serializers.DateField(help_text=_("走访的当地日期（Asia/Shanghai）"))
    findings = serializers.SerializerMethodField()
    needs_noted = serializers.CharField()
    changes_summary = serializers.CharField()
    client_id = serializers.UUIDField(allow_null=True, help_text=_("设备端编号"))
    created_at = serializers.DateTimeField()

    def get_findings(self, visit: Visit) -> dict[str, dict[str, str]]:
        return {
            area: {
                "status": getattr(visit, f"{area}_status"),
                "note": getattr(visit, f"{area}_note"),
            }
            for area, _label in FINDING_AREAS
        }


class VisitListApi(_Api):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="visit_list",
        parameters=_filter_parameters(VisitFilter),
        responses={200: VisitOutputSerializer(many=True), **_INVALID},
    )
    def get(self, request: Request) -> Response:
        visits = selectors.visit_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=visits, serializer_class=VisitOutputSerializer, request=request, view=self
        )


class _MemberChangeInput(serializers.Serializer):
    member = VisibleUUIDField(visible=member_qs_visible_to, help_text=_("本户成员"))
    status = serializers.ChoiceField(choices=Member.Status.choices, required=False)
    health = serializers.ChoiceField(choices=Member.Health.choices, required=False)
    illness = serializers.CharField(max_length=100, required=False, allow_blank=True)
    has_caregiver = serializers.BooleanField(required=False, allow_null=True)
    lives_alone = serializers.BooleanField(required=False, allow_null=True)
    employment = serializers.ChoiceField(choices=Member.Employment.choices, required=False)
    monthly_income = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False
    )


class _NeedInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=["survival", "care", "development"])
    subtype = serializers.CharField(max_length=24)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    urgency = serializers.IntegerField(min_value=1, max_value=4, required=False)


class VisitLogApi(_Api):
    @extend_schema_serializer(component_name="VisitLog")
    class InputSerializer(serializers.Serializer):
        household = serializers.UUIDField()
        method = serializers.ChoiceField(choices=Visit.Method.choices)
        visited_at = serializers.DateTimeField(help_text=_("不能晚于现在"))
        companions = serializers.CharField(max_length=200, required=False, allow_blank=True)
        findings = FindingsSerializer(required=False)
        needs_noted = serializers.CharField(required=False, allow_blank=True)
        member_changes = _MemberChangeInput(many=True, required=False)
        needs = _NeedInput(many=True, required=False, help_text=_("登记到需求清单的需求"))
        resolve_alerts = serializers.BooleanField(required=False, default=False)
        client_id = serializers.UUIDField(
            required=False,
            allow_null=True,
            help_text=_(
                "设备端生成的走访编号（UUID）：同一用户重复提交同一编号时只保存一次，"
                "并返回已保存的走访（200）"
            ),
        )

    @extend_schema(
        operation_id="visit_log",
        request=InputSerializer,
        responses={
            201: VisitOutputSerializer,
            200: OpenApiResponse(VisitOutputSerializer, description=_("该编号的走访此前已保存")),
            **_WRITE_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        data = _input(self, request)
        household = selectors.household_get_for_visit(
            actor=request.user, household_id=data.pop("household")
        )
        findings = {
            area: (value["status"], value["note"])
            for area, value in data.pop("findings", {}).items()
        }
        changes = [(c.pop("member"), c) for c in data.pop("member_changes", [])]
        data["needs"] = [
            {**n, "kind": f"{n.pop('type')}:{n.pop('subtype')}"} for n in data.pop("needs", [])
        ]
        visit = services.visit_log(
            actor=request.user,
            household=household,
            findings=findings,
            member_changes=changes,
            **data,
        )
        code = status.HTTP_200_OK if visit.replayed else status.HTTP_201_CREATED
        return Response(VisitOutputSerializer(visit).data, status=code)


class VisitDetailApi(_Api):
    @extend_schema(operation_id="visit_get", responses={200: VisitOutputSerializer, **_NOT_FOUND})
    def get(self, request: Request, visit_id: UUID) -> Response:
        visit = selectors.visit_get(actor=request.user, visit_id=visit_id)
        return Response(VisitOutputSerializer(visit).data)


# ---- follow-ups ------------------------------------------------------------------------


class FollowUpOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    household = serializers.UUIDField(source="household.uuid")
    address = serializers.CharField(source="household.address")
    due = serializers.DateField()
    tier = serializers.ChoiceField(choices=Tier.choices)
    rule = serializers.CharField(source="rule.name", allow_null=True, default=None)
    assignee = UserRefSerializer(allow_null=True)
    status = serializers.ChoiceField(choices=FollowUp.Status.choices)
    overdue = serializers.SerializerMethodField(help_text=_("待跟进且应跟进日期早于今天"))
    reassigned = serializers.BooleanField()
    visit = serializers.UUIDField(source="visit.uuid", allow_null=True, default=None)
    completed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_overdue(self, followup: FollowUp) -> bool:
        return followup.status == FollowUp.Status.OPEN and followup.due < timezone.localdate()


class FollowUpListApi(_Api):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="followup_list",
        parameters=_filter_parameters(FollowUpFilter),
        responses={200: FollowUpOutputSerializer(many=True), **_INVALID},
    )
    def get(self, request: Request) -> Response:
        followups = selectors.followup_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=followups,
            serializer_class=FollowUpOutputSerializer,
            request=request,
            view=self,
        )


class FollowUpDetailApi(_Api):
    @extend_schema(
        operation_id="followup_get", responses={200: FollowUpOutputSerializer, **_NOT_FOUND}
    )
    def get(self, request: Request, followup_id: UUID) -> Response:
        followup = selectors.followup_get(actor=request.user, followup_id=followup_id)
        return Response(FollowUpOutputSerializer(followup).data)


class FollowUpReassignApi(_Api):
    @extend_schema_serializer(component_name="FollowUpReassign")
    class InputSerializer(serializers.Serializer):
        assignee = serializers.CharField(help_text=_("该家庭所在社区的一名社工的用户名"))

    @extend_schema(
        operation_id="followup_reassign",
        request=InputSerializer,
        responses={200: FollowUpOutputSerializer, **_WRITE_ERRORS},
    )
    def post(self, request: Request, followup_id: UUID) -> Response:
        followup = selectors.followup_get_for_reassign(actor=request.user, followup_id=followup_id)
        data = _input(self, request)
        assignee = _worker_in_scope(request, data["assignee"])
        followup = services.followup_reassign(
            actor=request.user, followup=followup, assignee=assignee
        )
        return Response(FollowUpOutputSerializer(followup).data)


def _worker_in_scope(request: Request, username: str) -> User:
    workers = selectors.workers_qs_visible_to(actor=request.user)
    worker = workers.filter(username=username).first()
    if worker is None:
        raise serializers.ValidationError({"assignee": [_("只能指派给该家庭所在街道的社工。")]})
    return worker


# ---- tier rules ------------------------------------------------------------------------


class TierRuleOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.ChoiceField(choices=predicate_choices())
    name = serializers.CharField()
    tier = serializers.ChoiceField(choices=Tier.choices)
    interval_months = serializers.IntegerField()
    params = serializers.JSONField()
    active = serializers.BooleanField()
    priority = serializers.IntegerField()
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class TierRuleListApi(_Api):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="tier_rule_list",
        responses={200: TierRuleOutputSerializer(many=True), **_FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        rules = selectors.tier_rule_list(actor=request.user)
        return paginated_response(
            queryset=rules, serializer_class=TierRuleOutputSerializer, request=request, view=self
        )


class _TierRuleFields(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    interval_months = serializers.IntegerField(min_value=1, max_value=24, required=False)
    params = serializers.JSONField(required=False, help_text=_("判定条件的参数，见 code"))
    active = serializers.BooleanField(required=False)
    priority = serializers.IntegerField(min_value=0, max_value=1000, required=False)


class TierRuleCreateApi(_Api):
    @extend_schema_serializer(component_name="TierRuleCreate")
    class InputSerializer(_TierRuleFields):
        code = serializers.ChoiceField(choices=predicate_choices())
        name = serializers.CharField(max_length=100)
        tier = serializers.ChoiceField(choices=Tier.choices)
        interval_months = serializers.IntegerField(min_value=1, max_value=24)

    @extend_schema(
        operation_id="tier_rule_create",
        request=InputSerializer,
        responses={201: TierRuleOutputSerializer, **_INVALID, **_FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        selectors.tier_rule_list(actor=request.user)  # 403 for anyone but a district admin
        data = _input(self, request)
        rule = services.tier_rule_create(actor=request.user, code=data.pop("code"), data=data)
        return Response(TierRuleOutputSerializer(rule).data, status=status.HTTP_201_CREATED)


class TierRuleDetailApi(_Api):
    @extend_schema(
        operation_id="tier_rule_get",
        responses={200: TierRuleOutputSerializer, **_FORBIDDEN, **_NOT_FOUND},
    )
    def get(self, request: Request, rule_id: UUID) -> Response:
        rule = selectors.tier_rule_get(actor=request.user, rule_id=rule_id)
        return Response(TierRuleOutputSerializer(rule).data)


class TierRuleUpdateApi(_Api):
    @extend_schema_serializer(component_name="TierRuleUpdate")
    class InputSerializer(VersionedInputSerializer, _TierRuleFields):
        pass

    @extend_schema(
        operation_id="tier_rule_update",
        request=InputSerializer,
        responses={200: TierRuleOutputSerializer, **_WRITE_ERRORS, **STALE},
    )
    def patch(self, request: Request, rule_id: UUID) -> Response:
        rule = selectors.tier_rule_get(actor=request.user, rule_id=rule_id)
        data = _input(self, request)
        version = data.pop("version")
        rule = services.tier_rule_update(
            actor=request.user, rule=rule, data=data, expected_version=version
        )
        return Response(TierRuleOutputSerializer(rule).data)
