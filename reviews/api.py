"""The API of standards (/api/v1/standards/) and reviews (/api/v1/reviews/).

One APIView per operation, like cases/api.py: parse, fetch through a selector (404 when
missing or out of scope, 403 when visible but not the actor's to change), one service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from access.capabilities import Can, can
from cases.selectors import visit_get
from core.api import FORBIDDEN, INVALID, NOT_FOUND, STALE, WRITE_ERRORS, JsonApi
from core.api import validated as _input
from core.pagination import KeysetPagination, paginated_response
from households.models import Enrolment
from reviews import selectors, services
from reviews.models import ZHICHU_MAX_MONTHS, Review

if TYPE_CHECKING:
    from rest_framework.request import Request


# ---- standards -------------------------------------------------------------------------


class StandardOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    district = serializers.CharField(source="district.code", help_text=_("区划代码"))
    effective_date = serializers.DateField()
    dibao = serializers.DecimalField(max_digits=10, decimal_places=2)
    tekun_basic = serializers.DecimalField(max_digits=10, decimal_places=2)
    tekun_care_full = serializers.DecimalField(max_digits=10, decimal_places=2)
    tekun_care_partial = serializers.DecimalField(max_digits=10, decimal_places=2)
    tekun_care_none = serializers.DecimalField(max_digits=10, decimal_places=2)
    dibian_factor = serializers.DecimalField(max_digits=4, decimal_places=2)
    dibian_line = serializers.DecimalField(max_digits=12, decimal_places=2)
    rigid_share = serializers.IntegerField(help_text=_("百分比"))
    dibao_stable_months = serializers.IntegerField()
    dibao_unstable_months = serializers.IntegerField()
    tekun_months = serializers.IntegerField()
    dibian_months = serializers.IntegerField()
    zhichu_months = serializers.IntegerField()
    version = serializers.IntegerField()


def _money(**kw: object) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, **kw)


def _months(most: int = 36, **kw: object) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=most, **kw)


class _StandardFields(serializers.Serializer):
    effective_date = serializers.DateField(required=False)
    dibao = _money(required=False, help_text=_("低保标准，元/人/月"))
    tekun_basic = _money(required=False)
    tekun_care_full = _money(required=False)
    tekun_care_partial = _money(required=False)
    tekun_care_none = _money(required=False)
    dibian_factor = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=1, max_value=5, required=False
    )
    rigid_share = serializers.IntegerField(min_value=1, max_value=100, required=False)
    dibao_stable_months = _months(required=False)
    dibao_unstable_months = _months(required=False)
    tekun_months = _months(required=False)
    dibian_months = _months(required=False)
    zhichu_months = _months(most=ZHICHU_MAX_MONTHS, required=False)


def _require_reader(request: Request) -> None:
    if not can(request.user, Can.VIEW_REGISTRY):
        raise PermissionDenied


class StandardListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="standard_list",
        responses={200: StandardOutputSerializer(many=True), **FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        _require_reader(request)
        return paginated_response(
            queryset=selectors.standard_list(actor=request.user),
            serializer_class=StandardOutputSerializer,
            request=request,
            view=self,
        )


class StandardCreateApi(JsonApi):
    @extend_schema_serializer(component_name="StandardCreate")
    class InputSerializer(_StandardFields):
        effective_date = serializers.DateField()
        dibao = _money()
        tekun_basic = _money()
        tekun_care_full = _money()
        tekun_care_partial = _money()
        tekun_care_none = _money()

    @extend_schema(
        operation_id="standard_create",
        request=InputSerializer,
        responses={201: StandardOutputSerializer, **INVALID, **FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        if not can(request.user, Can.EDIT_STANDARDS):
            raise PermissionDenied
        data = _input(self, request)
        standard = services.standard_create(actor=request.user, data=data)
        return Response(StandardOutputSerializer(standard).data, status=status.HTTP_201_CREATED)


class StandardDetailApi(JsonApi):
    @extend_schema(
        operation_id="standard_get",
        responses={200: StandardOutputSerializer, **NOT_FOUND},
    )
    def get(self, request: Request, standard_id: UUID) -> Response:
        standard = selectors.standard_get(actor=request.user, standard_id=standard_id)
        return Response(StandardOutputSerializer(standard).data)


class StandardUpdateApi(JsonApi):
    @extend_schema_serializer(component_name="StandardUpdate")
    class InputSerializer(_StandardFields):
        version = serializers.IntegerField(help_text=_("读取时的版本号，防止覆盖他人的修改"))

    @extend_schema(
        operation_id="standard_update",
        request=InputSerializer,
        responses={200: StandardOutputSerializer, **WRITE_ERRORS, **STALE},
    )
    def patch(self, request: Request, standard_id: UUID) -> Response:
        standard = selectors.standard_get_for_edit(actor=request.user, standard_id=standard_id)
        data = _input(self, request)
        version = data.pop("version")
        standard = services.standard_update(
            actor=request.user, standard=standard, data=data, version=version
        )
        return Response(StandardOutputSerializer(standard).data)


# ---- reviews ---------------------------------------------------------------------------


class ReviewDueSerializer(serializers.Serializer):
    """An approved enrolment whose review is overdue or due within 30 days."""

    enrolment = serializers.UUIDField(source="uuid")
    household = serializers.UUIDField(source="household.uuid")
    household_address = serializers.CharField(source="household.address")
    community = serializers.CharField(source="household.area_code", help_text=_("家庭区划代码"))
    category = serializers.CharField(source="category_id")
    monthly_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    review_due = serializers.DateField()
    overdue = serializers.BooleanField()
    version = serializers.IntegerField()


class ReviewOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    enrolment = serializers.UUIDField(source="enrolment.uuid")
    reviewed_on = serializers.DateField()
    outcome = serializers.ChoiceField(choices=Review.Outcome.choices)
    reason = serializers.CharField()
    amount_before = serializers.DecimalField(max_digits=10, decimal_places=2)
    amount_after = serializers.DecimalField(max_digits=10, decimal_places=2)
    due_before = serializers.DateField(allow_null=True)
    enrolment_state = serializers.ChoiceField(
        source="enrolment.status", choices=Enrolment.Status.choices
    )
    next_review_due = serializers.DateField(source="enrolment.review_due", allow_null=True)


class ReviewListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="review_due_list",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=["due", "overdue"]),
            OpenApiParameter("community", OpenApiTypes.STR, description=_("12 位社区代码")),
        ],
        responses={200: ReviewDueSerializer(many=True), **INVALID, **FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        _require_reader(request)
        rows = selectors.review_due_list(
            actor=request.user, today=timezone.localdate(), filters=request.query_params
        )
        return paginated_response(
            queryset=rows, serializer_class=ReviewDueSerializer, request=request, view=self
        )


class ReviewRecordApi(JsonApi):
    @extend_schema_serializer(component_name="ReviewRecord")
    class InputSerializer(serializers.Serializer):
        enrolment = serializers.UUIDField()
        outcome = serializers.ChoiceField(choices=Review.Outcome.choices)
        reason = serializers.CharField(max_length=2000)
        amount = _money(required=False, allow_null=True, help_text=_("仅“调整金额”时填写"))
        visit = serializers.UUIDField(required=False, allow_null=True)
        version = serializers.IntegerField(
            required=False, help_text=_("救助认定读取时的版本号，重复提交只保存一次")
        )

    @extend_schema(
        operation_id="review_record",
        request=InputSerializer,
        responses={201: ReviewOutputSerializer, **WRITE_ERRORS, **STALE},
    )
    def post(self, request: Request) -> Response:
        data = _input(self, request)
        enrolment = selectors.enrolment_get_for_review(
            actor=request.user, enrolment_id=data["enrolment"]
        )
        visit = None
        if data.get("visit"):
            visit = visit_get(actor=request.user, visit_id=data["visit"])
        review = services.enrolment_review(
            actor=request.user,
            enrolment=enrolment,
            outcome=data["outcome"],
            reason=data["reason"],
            amount=data.get("amount"),
            visit=visit,
            version=data.get("version"),
        )
        return Response(ReviewOutputSerializer(review).data, status=status.HTTP_201_CREATED)
