"""The registry's REST API (/api/v1/): one APIView per operation, thin over selectors and services.

Each handler parses the shape of its input, fetches objects through an access selector (404 when
missing or out of scope, 403 when visible but not the actor's to change), calls one service and
serializes the result. Lists are keyset-paginated (core.pagination).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
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
    STALE as _STALE,
)
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
from core.audit import log_access
from core.models import AccessLog
from core.pagination import KeysetPagination, paginated_response
from households import idnumber
from households.clashes import clashes_recorded
from households.filters import (
    AreaFilter,
    EnrolmentFilter,
    HouseholdFilter,
    MemberFilter,
    refuse_id_number_in_query,
)
from households.models import Member, User
from households.selectors import (
    ID_SEARCH_CAP,
    area_get,
    area_list,
    area_qs_visible_to,
    category_list,
    enrolment_get,
    enrolment_get_for_decision,
    enrolment_get_for_edit,
    enrolment_list,
    household_find_by_id_number,
    household_get,
    household_get_for_edit,
    household_list,
    member_find_by_id_number,
    member_get,
    member_get_for_edit,
    member_list,
    member_qs_visible_to,
)
from households.serializers import (
    AreaOutputSerializer,
    EnrolmentOutputSerializer,
    HouseholdDetailOutputSerializer,
    HouseholdOutputSerializer,
    MemberDetailOutputSerializer,
    MemberFieldsInputSerializer,
    MemberOutputSerializer,
    StatusField,
    VersionedInputSerializer,
    VisibleAreaField,
    VisibleUUIDField,
)
from households.services import (
    REVEAL_REASON_MAX_LENGTH,
    area_create,
    area_rename,
    enrolment_apply,
    enrolment_transition,
    enrolment_update,
    household_create,
    household_update,
    member_add,
    member_reveal_id_number,
    member_update,
)

if TYPE_CHECKING:
    from rest_framework.request import Request


def _keep_head(relation: str, current: str | None) -> str:
    """The head is registered with the household: no member becomes or stops being head here.

    Sending a member's own relation back unchanged (as a whole-form client does) is fine.
    """
    if (relation == Member.Relation.HEAD) != (current == Member.Relation.HEAD):
        raise serializers.ValidationError(_("户主随家庭一同登记，不能在此设为或取消户主。"))
    return relation


def _results(serializer: type[serializers.Serializer]) -> Any:
    return inline_serializer(
        name=f"{serializer.__name__.removesuffix('OutputSerializer')}IdSearchResults",
        fields={"results": serializer(many=True)},
    )


def _no_store(data: dict[str, Any]) -> Response:
    response = Response(data)
    response["Cache-Control"] = "no-store"
    return response


_ID_NUMBER_HELP = _("18位公民身份号码；保存为密文，响应中只显示掩码")


# ---- areas -----------------------------------------------------------------------------


class AreaListApi(_Api):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="area_list",
        parameters=_filter_parameters(AreaFilter),
        responses={200: AreaOutputSerializer(many=True), **_INVALID},
    )
    def get(self, request: Request) -> Response:
        areas = area_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=areas, serializer_class=AreaOutputSerializer, request=request, view=self
        )


class AreaDetailApi(_Api):
    @extend_schema(operation_id="area_get", responses={200: AreaOutputSerializer, **_NOT_FOUND})
    def get(self, request: Request, code: str) -> Response:
        area = area_get(actor=request.user, code=code)
        return Response(AreaOutputSerializer(area).data)


class AreaCreateApi(_Api):
    @extend_schema_serializer(component_name="AreaCreate")
    class InputSerializer(serializers.Serializer):
        parent = VisibleAreaField(
            visible=area_qs_visible_to,
            help_text=_("上级区划代码：区下添加街道，街道下添加社区，社区下添加网格"),
        )
        code = serializers.CharField(
            max_length=15,
            help_text=_("12 位统计用区划代码（网格为所属社区代码加 3 位），须以上级代码开头"),
        )
        name = serializers.CharField(max_length=100)

    @extend_schema(
        operation_id="area_create",
        request=InputSerializer,
        responses={201: AreaOutputSerializer, **_INVALID, **_FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        """Add an area one level below its parent (district admins)."""
        if request.user.role != User.Role.DISTRICT_ADMIN:
            raise PermissionDenied
        data = _input(self, request)
        area = area_create(actor=request.user, **data)
        return Response(AreaOutputSerializer(area).data, status=status.HTTP_201_CREATED)


class AreaUpdateApi(_Api):
    @extend_schema_serializer(component_name="AreaUpdate")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)

    @extend_schema(
        operation_id="area_update",
        request=InputSerializer,
        responses={200: AreaOutputSerializer, **_WRITE_ERRORS},
    )
    def patch(self, request: Request, code: str) -> Response:
        """Rename an area (district admins). Its code, which scope is built on, stays."""
        area = area_get(actor=request.user, code=code)
        data = _input(self, request)
        area = area_rename(actor=request.user, area=area, name=data["name"])
        return Response(AreaOutputSerializer(area).data)


# ---- households ------------------------------------------------------------------------


class HouseholdListApi(_Api):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="household_list",
        parameters=_filter_parameters(HouseholdFilter),
        responses={200: HouseholdOutputSerializer(many=True), **_INVALID},
    )
    def get(self, request: Request) -> Response:
        refuse_id_number_in_query(request.query_params)
        households = household_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=households,
            serializer_class=HouseholdOutputSerializer,
            request=request,
            view=self,
        )


class IdNumberSearchInput(serializers.Serializer):
    id_number = serializers.CharField(
        max_length=40, help_text=_("18位公民身份号码：在请求体中发送，不出现在网址里")
    )

    def validate_id_number(self, value: str) -> str:
        try:
            return idnumber.parse(value).number
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class HouseholdIdSearchApi(_Api):
    """Households in your scope with a member holding the identity number (at most 50)."""

    InputSerializer = IdNumberSearchInput

    @extend_schema(
        operation_id="household_search_by_id_number",
        request=IdNumberSearchInput,
        responses={200: _results(HouseholdOutputSerializer), **_INVALID},
    )
    def post(self, request: Request) -> Response:
        number = _input(self, request)["id_number"]
        found = household_find_by_id_number(actor=request.user, number=number)[:ID_SEARCH_CAP]
        return _no_store({"results": HouseholdOutputSerializer(found, many=True).data})


@extend_schema_serializer(component_name="HouseholdHead")
class _HeadInput(MemberFieldsInputSerializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=40, help_text=_ID_NUMBER_HELP)


class HouseholdCreateApi(_Api):
    @extend_schema_serializer(component_name="HouseholdCreate")
    class InputSerializer(serializers.Serializer):
        area = VisibleAreaField(
            visible=area_qs_visible_to, help_text=_("所在社区或网格的区划代码，须在您的管辖范围内")
        )
        address = serializers.CharField(max_length=200)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
        note = serializers.CharField(required=False, allow_blank=True)
        head = _HeadInput(help_text=_("户主，登记为本户第一名成员"))

    @extend_schema(
        operation_id="household_create",
        request=InputSerializer,
        responses={201: HouseholdDetailOutputSerializer, **_INVALID, **_FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        data = _input(self, request)
        with clashes_recorded(actor=request.user, request=request):
            household = household_create(actor=request.user, **data)
        return Response(
            HouseholdDetailOutputSerializer(household, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class HouseholdDetailApi(_Api):
    @extend_schema(
        operation_id="household_get",
        responses={200: HouseholdDetailOutputSerializer, **_NOT_FOUND},
    )
    def get(self, request: Request, household_id: UUID) -> Response:
        household = household_get(actor=request.user, household_id=household_id)
        # A household's file is a read that leaves a trace, as on its page.
        log_access(
            actor=request.user,
            action=AccessLog.Action.VIEW_HOUSEHOLD,
            request=request,
            obj=household,
            household_id=household.pk,
        )
        return Response(
            HouseholdDetailOutputSerializer(household, context={"request": request}).data
        )


class HouseholdUpdateApi(_Api):
    @extend_schema_serializer(component_name="HouseholdUpdate")
    class InputSerializer(VersionedInputSerializer):
        area = VisibleAreaField(visible=area_qs_visible_to, required=False)
        address = serializers.CharField(max_length=200, required=False)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
        note = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(
        operation_id="household_update",
        request=InputSerializer,
        responses={200: HouseholdDetailOutputSerializer, **_WRITE_ERRORS, **_STALE},
    )
    def patch(self, request: Request, household_id: UUID) -> Response:
        household = household_get_for_edit(actor=request.user, household_id=household_id)
        data = _input(self, request)
        version = data.pop("version")
        household = household_update(
            actor=request.user, household=household, data=data, expected_version=version
        )
        return Response(
            HouseholdDetailOutputSerializer(household, context={"request": request}).data
        )


# ---- members ---------------------------------------------------------------------------


class MemberListApi(_Api):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="member_list",
        parameters=_filter_parameters(MemberFilter),
        responses={200: MemberOutputSerializer(many=True), **_INVALID},
    )
    def get(self, request: Request) -> Response:
        refuse_id_number_in_query(request.query_params)
        members = member_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=members, serializer_class=MemberOutputSerializer, request=request, view=self
        )


class MemberIdSearchApi(_Api):
    """Members in your scope holding the identity number (any status; at most 50)."""

    InputSerializer = IdNumberSearchInput

    @extend_schema(
        operation_id="member_search_by_id_number",
        request=IdNumberSearchInput,
        responses={200: _results(MemberOutputSerializer), **_INVALID},
    )
    def post(self, request: Request) -> Response:
        number = _input(self, request)["id_number"]
        found = member_find_by_id_number(actor=request.user, number=number)[:ID_SEARCH_CAP]
        return _no_store({"results": MemberOutputSerializer(found, many=True).data})


class MemberCreateApi(_Api):
    @extend_schema_serializer(component_name="MemberCreate")
    class InputSerializer(MemberFieldsInputSerializer):
        household = serializers.UUIDField()
        name = serializers.CharField(max_length=50)
        id_number = serializers.CharField(max_length=40, help_text=_ID_NUMBER_HELP)
        relation = serializers.ChoiceField(choices=Member.Relation.choices)

        def validate_relation(self, relation: str) -> str:
            return _keep_head(relation, None)

    @extend_schema(
        operation_id="member_create",
        request=InputSerializer,
        responses={201: MemberDetailOutputSerializer, **_WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _input(self, request)
        household = household_get_for_edit(actor=request.user, household_id=data.pop("household"))
        with clashes_recorded(actor=request.user, request=request):
            member = member_add(actor=request.user, household=household, data=data)
        return Response(
            MemberDetailOutputSerializer(member, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class MemberDetailApi(_Api):
    @extend_schema(
        operation_id="member_get", responses={200: MemberDetailOutputSerializer, **_NOT_FOUND}
    )
    def get(self, request: Request, member_id: UUID) -> Response:
        member = member_get(actor=request.user, member_id=member_id)
        return Response(MemberDetailOutputSerializer(member, context={"request": request}).data)


class MemberUpdateApi(_Api):
    @extend_schema_serializer(component_name="MemberUpdate")
    class InputSerializer(VersionedInputSerializer, MemberFieldsInputSerializer):
        name = serializers.CharField(max_length=50, required=False)
        id_number = serializers.CharField(max_length=40, required=False, help_text=_ID_NUMBER_HELP)
        relation = serializers.ChoiceField(choices=Member.Relation.choices, required=False)
        status = StatusField(Member.Status, required=False)

        def validate_relation(self, relation: str) -> str:
            return _keep_head(relation, self.context["member"].relation)

    @extend_schema(
        operation_id="member_update",
        request=InputSerializer,
        responses={200: MemberDetailOutputSerializer, **_WRITE_ERRORS, **_STALE},
    )
    def patch(self, request: Request, member_id: UUID) -> Response:
        member = member_get_for_edit(actor=request.user, member_id=member_id)
        data = _input(self, request, member=member)
        version = data.pop("version")
        with clashes_recorded(actor=request.user, request=request):
            member = member_update(
                actor=request.user, member=member, data=data, expected_version=version
            )
        return Response(MemberDetailOutputSerializer(member, context={"request": request}).data)


class MemberRevealIdNumberApi(_Api):
    @extend_schema_serializer(component_name="MemberRevealRequest")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(
            max_length=REVEAL_REASON_MAX_LENGTH,
            help_text=_("查看事由（必填），与本次查看一起记入访问日志"),
        )

    @extend_schema_serializer(component_name="MemberIdNumber")
    class OutputSerializer(serializers.Serializer):
        id_number = serializers.CharField()

    @extend_schema(
        operation_id="member_reveal_id_number",
        description=_(
            "完整身份证号，仅限有“查看完整身份证号”权限的用户；须填写查看事由，"
            "每次查看连同事由记入访问日志。"
        ),
        request=InputSerializer,
        responses={200: OutputSerializer, **_INVALID, **_FORBIDDEN, **_NOT_FOUND},
    )
    def post(self, request: Request, member_id: UUID) -> Response:
        member = member_get(actor=request.user, member_id=member_id)
        if not can(request.user, Can.REVEAL_ID_NUMBER):
            raise PermissionDenied
        reason = _input(self, request)["reason"]
        number = member_reveal_id_number(
            actor=request.user, member=member, reason=reason, request=request
        )
        response = Response(self.OutputSerializer({"id_number": number}).data)
        response["Cache-Control"] = "no-store"
        return response


# ---- enrolments ------------------------------------------------------------------------


class EnrolmentListApi(_Api):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="enrolment_list",
        parameters=_filter_parameters(EnrolmentFilter),
        responses={200: EnrolmentOutputSerializer(many=True), **_INVALID},
    )
    def get(self, request: Request) -> Response:
        enrolments = enrolment_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=enrolments,
            serializer_class=EnrolmentOutputSerializer,
            request=request,
            view=self,
        )


class EnrolmentApplyApi(_Api):
    @extend_schema_serializer(component_name="EnrolmentApply")
    class InputSerializer(serializers.Serializer):
        household = serializers.UUIDField()
        category = serializers.SlugRelatedField(slug_field="code", queryset=category_list())
        member = VisibleUUIDField(
            visible=member_qs_visible_to,
            required=False,
            allow_null=True,
            help_text=_("特困按人认定：本户的一名在户成员"),
        )
        members = serializers.ListField(
            child=VisibleUUIDField(visible=member_qs_visible_to),
            required=False,
            help_text=_("覆盖成员；不填则为本户全部在户成员"),
        )
        start_date = serializers.DateField()
        end_date = serializers.DateField(required=False, allow_null=True)
        monthly_amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
        review_due = serializers.DateField(required=False, allow_null=True)
        reason = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(
        operation_id="enrolment_apply",
        request=InputSerializer,
        responses={201: EnrolmentOutputSerializer, **_WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _input(self, request)
        household = household_get(actor=request.user, household_id=data.pop("household"))
        enrolment = enrolment_apply(actor=request.user, household=household, **data)
        return Response(EnrolmentOutputSerializer(enrolment).data, status=status.HTTP_201_CREATED)


class EnrolmentDetailApi(_Api):
    @extend_schema(
        operation_id="enrolment_get", responses={200: EnrolmentOutputSerializer, **_NOT_FOUND}
    )
    def get(self, request: Request, enrolment_id: UUID) -> Response:
        enrolment = enrolment_get(actor=request.user, enrolment_id=enrolment_id)
        return Response(EnrolmentOutputSerializer(enrolment).data)


class EnrolmentUpdateApi(_Api):
    @extend_schema_serializer(component_name="EnrolmentUpdate")
    class InputSerializer(VersionedInputSerializer):
        start_date = serializers.DateField(required=False)
        end_date = serializers.DateField(required=False, allow_null=True)
        monthly_amount = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
        review_due = serializers.DateField(required=False, allow_null=True)
        reason = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(
        operation_id="enrolment_update",
        description=_("仅待审批的申请可以修改；修改后重新检查类别组合规则。"),
        request=InputSerializer,
        responses={200: EnrolmentOutputSerializer, **_WRITE_ERRORS, **_STALE},
    )
    def patch(self, request: Request, enrolment_id: UUID) -> Response:
        enrolment = enrolment_get_for_edit(actor=request.user, enrolment_id=enrolment_id)
        data = _input(self, request)
        version = data.pop("version")
        enrolment = enrolment_update(
            actor=request.user, enrolment=enrolment, data=data, expected_version=version
        )
        return Response(EnrolmentOutputSerializer(enrolment).data)


@extend_schema_serializer(component_name="EnrolmentDecision")
class _DecisionInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="EnrolmentEnd")
class _EndInput(_DecisionInput):
    end_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("终止日期，默认今天")
    )


def _decision_api(
    action: str, *, description: str | None = None, input_serializer: type = _DecisionInput
) -> type[_Api]:
    """The endpoint of one action of households.services.ENROLMENT_TRANSITIONS: the same
    access check, input and output for every decision, the table deciding what it may do."""

    class DecisionApi(_Api):
        InputSerializer = input_serializer

        @extend_schema(
            operation_id=f"enrolment_{action}",
            description=description,
            request=input_serializer,
            responses={200: EnrolmentOutputSerializer, **_WRITE_ERRORS},
        )
        def post(self, request: Request, enrolment_id: UUID) -> Response:
            enrolment = enrolment_get_for_decision(actor=request.user, enrolment_id=enrolment_id)
            enrolment = enrolment_transition(
                actor=request.user, enrolment=enrolment, action=action, **_input(self, request)
            )
            return Response(EnrolmentOutputSerializer(enrolment).data)

    name = f"Enrolment{action.capitalize()}Api"
    DecisionApi.__name__ = DecisionApi.__qualname__ = name
    return DecisionApi


EnrolmentApproveApi = _decision_api("approve")
EnrolmentRejectApi = _decision_api("reject", description=_("不予批准，须填写理由。"))
EnrolmentSuspendApi = _decision_api("suspend", description=_("暂停已批准的救助，须填写理由。"))
EnrolmentEndApi = _decision_api(
    "end", description=_("终止已批准或已暂停的救助，须填写理由。"), input_serializer=_EndInput
)
