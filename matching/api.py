"""Needs, suggestions, referrals and campaigns over REST: one APIView per operation.

Scope comes from the selectors: a worker's token reads its area's needs and referrals; a
provider's token reads only the referrals addressed to its provider, shown with the least
personal data delivery needs (name, masked phone, address), and may only accept, decline
and report delivery of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response

from access.capabilities import Can, can
from core.api import (
    FORBIDDEN as _FORBIDDEN,
)
from core.api import (
    INVALID as _INVALID,
)
from core.api import (
    NOT_FOUND as _NOT_FOUND,
)
from core.api import (
    WRITE_ERRORS as _WRITE_ERRORS,
)
from core.api import (
    JsonApi,
    validated,
)
from core.masking import mask_phone
from core.pagination import KeysetPagination, paginated_response
from households.models import Category
from households.selectors import area_qs_visible_to, household_qs_visible_to, member_qs_visible_to
from households.serializers import (
    AreaRefSerializer,
    StatusField,
    VisibleAreaField,
    VisibleUUIDField,
)
from matching import selectors, services
from matching.candidates import need_suggestions
from matching.engine import describe
from matching.models import Need, Referral
from resources.api import ProviderRefSerializer
from resources.selectors import resource_qs_visible_to

if TYPE_CHECKING:
    from rest_framework.request import Request


# ---- shapes ----------------------------------------------------------------------------


class _HouseholdRef(serializers.Serializer):
    uuid = serializers.UUIDField()
    address = serializers.CharField()
    head = serializers.CharField(source="head.name", allow_null=True, default=None)


class _MemberRef(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="Need")
class NeedOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    household = _HouseholdRef(allow_null=True)
    member = _MemberRef(allow_null=True)
    type = StatusField(Need.Type)
    subtype = StatusField(Need.Subtype)
    urgency = StatusField(Need.Urgency)
    source = StatusField(Need.Source)
    status = StatusField(Need.Status)
    description = serializers.CharField()
    quantity = serializers.IntegerField()
    area = AreaRefSerializer(allow_null=True, help_text=_("一键求助所选社区"))
    requester_phone = serializers.SerializerMethodField(help_text=_("求助人电话（掩码）"))
    close_reason = serializers.CharField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def get_requester_phone(self, need: Need) -> str:
        return mask_phone(need.requester_phone)


class _ResourceRef(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    kind = serializers.CharField()
    unit = serializers.CharField()


class _ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    points = serializers.IntegerField()
    text = serializers.CharField()


def _reasons(stored: list) -> list[dict[str, Any]]:
    return [{"code": c, "points": p, "text": describe(c, a)} for c, p, a in stored]


@extend_schema_serializer(component_name="Referral")
class ReferralOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    need = serializers.UUIDField(source="need.uuid")
    household = _HouseholdRef()
    resource = _ResourceRef()
    provider = ProviderRefSerializer()
    status = StatusField(Referral.Status)
    quantity = serializers.IntegerField()
    score = serializers.IntegerField()
    reasons = serializers.SerializerMethodField(
        help_text=_("转介时的匹配理由；批量匹配的转介只保存匹配分，此处为空")
    )
    note = serializers.CharField()
    proposed_by = serializers.StringRelatedField(allow_null=True)
    proposed_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.StringRelatedField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField()
    delivered_by = serializers.StringRelatedField(allow_null=True)
    delivered_on = serializers.DateField(allow_null=True)
    delivered_quantity = serializers.IntegerField(allow_null=True)
    delivery_note = serializers.CharField()
    confirmed_by = serializers.StringRelatedField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    satisfaction = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField()

    @extend_schema_field(_ReasonSerializer(many=True))
    def get_reasons(self, referral: Referral) -> list[dict[str, Any]]:
        return _reasons(referral.reasons)


@extend_schema_serializer(component_name="ProviderReferral")
class ProviderReferralOutputSerializer(serializers.Serializer):
    """A referral as its provider sees it: what to deliver, to whom, where; nothing more."""

    uuid = serializers.UUIDField()
    status = StatusField(Referral.Status)
    resource = serializers.CharField()
    unit = serializers.CharField()
    need = serializers.CharField(help_text=_("需求细类"))
    quantity = serializers.IntegerField()
    note = serializers.CharField()
    name = serializers.CharField()
    phone_masked = serializers.CharField()
    address = serializers.CharField()
    proposed_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField()
    delivered_on = serializers.DateField(allow_null=True)
    delivered_quantity = serializers.IntegerField(allow_null=True)
    delivery_note = serializers.CharField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if isinstance(instance, Referral):
            instance = selectors.portal_view(instance)
        return super().to_representation(instance)


def _referral_data(request: Request, referral: Referral) -> dict[str, Any]:
    serializer = (
        ProviderReferralOutputSerializer
        if can(request.user, Can.ACT_FOR_PROVIDER)
        else ReferralOutputSerializer
    )
    return serializer(referral).data


@extend_schema_serializer(component_name="Suggestion")
class SuggestionOutputSerializer(serializers.Serializer):
    resource = serializers.UUIDField(source="info.uuid")
    name = serializers.CharField(source="info.name")
    kind = serializers.CharField(source="info.kind")
    pool_list = serializers.CharField(source="info.pool_list")
    provider = serializers.CharField(source="info.provider_name")
    remaining = serializers.IntegerField(source="resource.remaining", allow_null=True)
    unit = serializers.CharField(source="info.unit")
    score = serializers.IntegerField(source="suggestion.score")
    serving = serializers.BooleanField(
        help_text=_("该资源已在为本户提供同类帮扶（另一项同类需求的转介在办）")
    )
    reasons = serializers.SerializerMethodField()

    @extend_schema_field(_ReasonSerializer(many=True))
    def get_reasons(self, row: Any) -> list[dict[str, Any]]:
        return [
            {"code": r.code, "points": r.points, "text": r.text} for r in row.suggestion.reasons
        ]


@extend_schema_serializer(component_name="Campaign")
class CampaignOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    resource = _ResourceRef()
    area = AreaRefSerializer()
    groups = serializers.JSONField()
    per_household = serializers.IntegerField()
    per_member = serializers.BooleanField()
    households_targeted = serializers.IntegerField()
    households_served = serializers.IntegerField()
    households_short = serializers.IntegerField()
    units_requested = serializers.IntegerField()
    units_given = serializers.IntegerField()
    units_short = serializers.IntegerField()
    created_at = serializers.DateTimeField()


# ---- needs -----------------------------------------------------------------------------


class NeedListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(operation_id="need_list", responses={200: NeedOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        needs = selectors.need_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=needs, serializer_class=NeedOutputSerializer, request=request, view=self
        )


class NeedCreateApi(JsonApi):
    @extend_schema_serializer(component_name="NeedCreate")
    class InputSerializer(serializers.Serializer):
        household = VisibleUUIDField(visible=household_qs_visible_to)
        member = VisibleUUIDField(visible=member_qs_visible_to, required=False, allow_null=True)
        type = StatusField(Need.Type)
        subtype = StatusField(Need.Subtype)
        urgency = StatusField(Need.Urgency, required=False)
        source = serializers.ChoiceField(
            choices=[Need.Source.VISIT, Need.Source.WALK_IN, Need.Source.PHONE], required=False
        )
        description = serializers.CharField(required=False, allow_blank=True)
        quantity = serializers.IntegerField(min_value=1, required=False)
        latitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, required=False, allow_null=True
        )
        longitude = serializers.DecimalField(
            max_digits=9, decimal_places=6, required=False, allow_null=True
        )

    @extend_schema(
        operation_id="need_create",
        request=InputSerializer,
        responses={201: NeedOutputSerializer, **_INVALID, **_FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        need = services.need_create(actor=request.user, **validated(self, request))
        return Response(NeedOutputSerializer(need).data, status=status.HTTP_201_CREATED)


class NeedDetailApi(JsonApi):
    @extend_schema(operation_id="need_get", responses={200: NeedOutputSerializer, **_NOT_FOUND})
    def get(self, request: Request, need_id: UUID) -> Response:
        need = selectors.need_get(actor=request.user, need_id=need_id)
        return Response(NeedOutputSerializer(need).data)


class NeedSuggestionsApi(JsonApi):
    @extend_schema(
        operation_id="need_suggestions",
        description=_("为一项待匹配需求推荐资源，按匹配分从高到低，每条附匹配理由。"),
        parameters=[
            OpenApiParameter(
                "include_serving",
                bool,
                description=_("也列出已在为本户提供同类帮扶的资源（标记 serving）"),
            )
        ],
        responses={200: SuggestionOutputSerializer(many=True), **_NOT_FOUND},
    )
    def get(self, request: Request, need_id: UUID) -> Response:
        need = selectors.need_get(actor=request.user, need_id=need_id)
        include = request.query_params.get("include_serving", "").lower() in ("1", "true")
        rows = need_suggestions(need, today=timezone.localdate(), include_serving=include)
        return Response(SuggestionOutputSerializer(rows, many=True).data)


class _ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class NeedCloseApi(JsonApi):
    InputSerializer = _ReasonInput

    @extend_schema(
        operation_id="need_close",
        request=InputSerializer,
        responses={200: NeedOutputSerializer, **_WRITE_ERRORS},
    )
    def post(self, request: Request, need_id: UUID) -> Response:
        need = selectors.need_get_for_work(actor=request.user, need_id=need_id)
        need = services.need_close(actor=request.user, need=need, **validated(self, request))
        return Response(NeedOutputSerializer(need).data)


class NeedVerifyApi(JsonApi):
    @extend_schema_serializer(component_name="NeedVerify")
    class InputSerializer(serializers.Serializer):
        household = VisibleUUIDField(visible=household_qs_visible_to)
        member = VisibleUUIDField(visible=member_qs_visible_to, required=False, allow_null=True)
        type = StatusField(Need.Type, required=False)
        subtype = StatusField(Need.Subtype, required=False)
        urgency = StatusField(Need.Urgency, required=False)

    @extend_schema(
        operation_id="need_verify",
        description=_("核实一键求助：关联到家庭，成为待匹配需求。"),
        request=InputSerializer,
        responses={200: NeedOutputSerializer, **_WRITE_ERRORS},
    )
    def post(self, request: Request, need_id: UUID) -> Response:
        need = selectors.need_get_for_work(actor=request.user, need_id=need_id)
        need = services.need_verify(actor=request.user, need=need, **validated(self, request))
        return Response(NeedOutputSerializer(need).data)


class NeedDiscardApi(JsonApi):
    InputSerializer = _ReasonInput

    @extend_schema(
        operation_id="need_discard",
        description=_("一键求助不予受理，须填写原因。"),
        request=InputSerializer,
        responses={200: NeedOutputSerializer, **_WRITE_ERRORS},
    )
    def post(self, request: Request, need_id: UUID) -> Response:
        need = selectors.need_get_for_work(actor=request.user, need_id=need_id)
        need = services.need_discard(actor=request.user, need=need, **validated(self, request))
        return Response(NeedOutputSerializer(need).data)


class MatchRunApi(JsonApi):
    @extend_schema_serializer(component_name="MatchRunInput")
    class InputSerializer(serializers.Serializer):
        area = VisibleAreaField(visible=area_qs_visible_to)

    @extend_schema_serializer(component_name="MatchRun")
    class OutputSerializer(serializers.Serializer):
        needs_considered = serializers.IntegerField()
        referrals_made = serializers.IntegerField()
        unmatched = serializers.IntegerField()
        lost_to_others = serializers.IntegerField()
        duration_ms = serializers.IntegerField()

    @extend_schema(
        operation_id="match_run",
        description=_("批量匹配：为区域内全部待匹配需求提出转介，不超出任何资源的名额或库存。"),
        request=InputSerializer,
        responses={201: OutputSerializer, **_INVALID, **_FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        run = services.match_run(actor=request.user, **validated(self, request))
        return Response(self.OutputSerializer(run).data, status=status.HTTP_201_CREATED)


# ---- referrals -------------------------------------------------------------------------


class ReferralListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="referral_list",
        description=_("服务方账号只看到转介给本机构的记录，且只含姓名、掩码电话和地址。"),
        responses={200: ReferralOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        referrals = selectors.referral_list(actor=request.user, filters=request.query_params)
        serializer = (
            ProviderReferralOutputSerializer
            if can(request.user, Can.ACT_FOR_PROVIDER)
            else ReferralOutputSerializer
        )
        return paginated_response(
            queryset=referrals, serializer_class=serializer, request=request, view=self
        )


class ReferralCreateApi(JsonApi):
    @extend_schema_serializer(component_name="ReferralCreate")
    class InputSerializer(serializers.Serializer):
        need = serializers.UUIDField()
        resource = VisibleUUIDField(visible=resource_qs_visible_to)
        quantity = serializers.IntegerField(min_value=1, required=False)
        note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    @extend_schema(
        operation_id="referral_create",
        description=_("转介：占用资源本期名额或库存；名额不足返回400。"),
        request=InputSerializer,
        responses={201: ReferralOutputSerializer, **_WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = validated(self, request)
        need = selectors.need_get_for_work(actor=request.user, need_id=data.pop("need"))
        referral = services.referral_propose(actor=request.user, need=need, **data)
        referral = selectors.referral_get(actor=request.user, referral_id=referral.uuid)
        return Response(ReferralOutputSerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralDetailApi(JsonApi):
    @extend_schema(
        operation_id="referral_get", responses={200: ReferralOutputSerializer, **_NOT_FOUND}
    )
    def get(self, request: Request, referral_id: UUID) -> Response:
        referral = selectors.referral_get(actor=request.user, referral_id=referral_id)
        return Response(_referral_data(request, referral))


class _StepApi(JsonApi):
    """A lifecycle step: fetch through the step's access selector, call its service."""

    get_for_step = staticmethod(selectors.referral_get_for_work)
    step: Any = None

    def post(self, request: Request, referral_id: UUID) -> Response:
        referral = self.get_for_step(actor=request.user, referral_id=referral_id)
        data = validated(self, request) if hasattr(self, "InputSerializer") else {}
        type(self).step(actor=request.user, referral=referral, **data)
        referral = selectors.referral_get(actor=request.user, referral_id=referral_id)
        return Response(_referral_data(request, referral))


def _step_schema(operation_id: str, description: str, request: Any = None) -> Any:
    return extend_schema(
        operation_id=operation_id,
        description=description,
        request=request,
        responses={200: ReferralOutputSerializer, **_WRITE_ERRORS},
    )


class ReferralAcceptApi(_StepApi):
    get_for_step = staticmethod(selectors.referral_get_for_provider_step)
    step = staticmethod(services.referral_accept)

    @_step_schema("referral_accept", _("服务方接收转介。"))
    def post(self, request: Request, referral_id: UUID) -> Response:
        return super().post(request, referral_id)


class ReferralDeclineApi(_StepApi):
    InputSerializer = _ReasonInput
    get_for_step = staticmethod(selectors.referral_get_for_provider_step)
    step = staticmethod(services.referral_decline)

    @_step_schema(
        "referral_decline", _("服务方拒绝转介，须填写原因；名额或库存退回。"), _ReasonInput
    )
    def post(self, request: Request, referral_id: UUID) -> Response:
        return super().post(request, referral_id)


class ReferralDeliverApi(_StepApi):
    @extend_schema_serializer(component_name="ReferralDeliver")
    class InputSerializer(serializers.Serializer):
        quantity = serializers.IntegerField(min_value=1, required=False)
        delivered_on = serializers.DateField(required=False)
        note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    get_for_step = staticmethod(selectors.referral_get_for_provider_step)
    step = staticmethod(services.referral_deliver)

    @_step_schema("referral_deliver", _("服务方登记交付（数量、日期、说明）。"), InputSerializer)
    def post(self, request: Request, referral_id: UUID) -> Response:
        return super().post(request, referral_id)


class ReferralConfirmApi(_StepApi):
    @extend_schema_serializer(component_name="ReferralConfirm")
    class InputSerializer(serializers.Serializer):
        outcome = StatusField(Referral.Outcome)
        satisfaction = serializers.IntegerField(
            min_value=1, max_value=5, required=False, allow_null=True
        )
        note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    step = staticmethod(services.referral_confirm)

    @_step_schema("referral_confirm", _("社工回访确认交付效果和满意度。"), InputSerializer)
    def post(self, request: Request, referral_id: UUID) -> Response:
        return super().post(request, referral_id)


class ReferralCloseApi(_StepApi):
    step = staticmethod(services.referral_close)

    @_step_schema("referral_close", _("已确认的转介办结。"))
    def post(self, request: Request, referral_id: UUID) -> Response:
        return super().post(request, referral_id)


class ReferralCancelApi(_StepApi):
    InputSerializer = _ReasonInput
    step = staticmethod(services.referral_cancel)

    @_step_schema(
        "referral_cancel", _("撤回尚未交付的转介，须填写原因；名额或库存退回。"), _ReasonInput
    )
    def post(self, request: Request, referral_id: UUID) -> Response:
        return super().post(request, referral_id)


# ---- campaigns -------------------------------------------------------------------------


class _GroupInput(serializers.Serializer):
    category = StatusField(Category.Code, required=False, allow_blank=True)
    one_person = serializers.BooleanField(required=False, default=False)
    orphan = serializers.BooleanField(required=False, default=False)


class CampaignListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="campaign_list", responses={200: CampaignOutputSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        campaigns = selectors.campaign_list(actor=request.user)
        return paginated_response(
            queryset=campaigns,
            serializer_class=CampaignOutputSerializer,
            request=request,
            view=self,
        )


class CampaignCreateApi(JsonApi):
    @extend_schema_serializer(component_name="CampaignCreate")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        resource = VisibleUUIDField(visible=resource_qs_visible_to)
        area = VisibleAreaField(visible=area_qs_visible_to)
        groups = _GroupInput(many=True, help_text=_("对象条件：组内同时满足，组间满足其一"))
        per_household = serializers.IntegerField(min_value=1, required=False)
        per_member = serializers.BooleanField(required=False)
        note = serializers.CharField(max_length=200, required=False, allow_blank=True)

    @extend_schema(
        operation_id="campaign_create",
        description=_("专项活动：为目标人群每户安排一次物资发放，直到库存用完，并报告缺口。"),
        request=InputSerializer,
        responses={201: CampaignOutputSerializer, **_INVALID, **_FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        data = validated(self, request)
        data["groups"] = [dict(group) for group in data["groups"]]
        campaign = services.campaign_run(actor=request.user, **data)
        return Response(CampaignOutputSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(JsonApi):
    @extend_schema(
        operation_id="campaign_get", responses={200: CampaignOutputSerializer, **_NOT_FOUND}
    )
    def get(self, request: Request, campaign_id: UUID) -> Response:
        campaign = selectors.campaign_get(actor=request.user, campaign_id=campaign_id)
        return Response(CampaignOutputSerializer(campaign).data)
