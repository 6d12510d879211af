"""The API of 一门受理: /api/v1/applications/, /api/v1/responsibilities/ and the public
/api/v1/application-lookup/.

One APIView per operation, like reviews/api.py: parse, fetch through a selector (404 when
missing or out of scope, 403 when visible but not the actor's to act on), one service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from access.capabilities import Can, can
from applications import lookup, selectors, services
from applications.models import Application, Notice
from core.api import FORBIDDEN, INVALID, NOT_FOUND, WRITE_ERRORS, JsonApi
from core.api import validated as _input
from core.audit import client_ip
from core.pagination import KeysetPagination, paginated_response
from households.models import Category
from households.selectors import household_get_for_edit

if TYPE_CHECKING:
    from rest_framework.request import Request


class ApplicationOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    reference = serializers.CharField()
    household = serializers.UUIDField(source="household.uuid")
    category = serializers.CharField(source="category_id")
    channel = serializers.ChoiceField(choices=Application.Channel.choices)
    status = serializers.ChoiceField(choices=Application.Status.choices)
    department = serializers.CharField(source="department.name")
    received_on = serializers.DateField()
    accept_due = serializers.DateField()
    accepted_on = serializers.DateField(allow_null=True)
    investigation_due = serializers.DateField(allow_null=True)
    investigation_started_on = serializers.DateField(allow_null=True)
    notice_start = serializers.DateField(allow_null=True)
    notice_end = serializers.DateField(allow_null=True)
    decision_due = serializers.DateField(allow_null=True)
    decided_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True, help_text=_("当前环节的期限"))
    more_requested = serializers.CharField()
    version = serializers.IntegerField()


class ApplicationListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="application_list",
        responses={200: ApplicationOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            queryset=selectors.application_list(actor=request.user),
            serializer_class=ApplicationOutputSerializer,
            request=request,
            view=self,
        )


class ApplicationTakeApi(JsonApi):
    @extend_schema_serializer(component_name="ApplicationTake")
    class InputSerializer(serializers.Serializer):
        household = serializers.UUIDField()
        applicant = serializers.UUIDField(help_text=_("本户在户成员"))
        category = serializers.ChoiceField(choices=Category.Code.choices)
        channel = serializers.ChoiceField(choices=Application.Channel.choices)
        phone = serializers.CharField(max_length=20)
        consent_given = serializers.BooleanField(help_text=_("申请人已签署核对授权书"))
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="application_take",
        request=InputSerializer,
        responses={201: ApplicationOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = _input(self, request)
        household = household_get_for_edit(actor=request.user, household_id=data["household"])
        applicant = (
            selectors.applicant_choices(household=household).filter(uuid=data["applicant"]).first()
        )
        if applicant is None:
            raise serializers.ValidationError({"applicant": [_("申请人须为本户在户成员。")]})
        application = services.application_take(
            actor=request.user,
            household=household,
            applicant=applicant,
            category=Category.objects.get(code=data["category"]),
            channel=data["channel"],
            phone=data["phone"],
            consent_given=data["consent_given"],
            reason=data["reason"],
        )
        body = ApplicationOutputSerializer(application).data
        return Response(body, status=status.HTTP_201_CREATED)


class ApplicationDetailApi(JsonApi):
    @extend_schema(
        operation_id="application_get",
        responses={200: ApplicationOutputSerializer, **NOT_FOUND},
    )
    def get(self, request: Request, application_id: UUID) -> Response:
        application = selectors.application_get(actor=request.user, application_id=application_id)
        return Response(ApplicationOutputSerializer(application).data)


class ApplicationAcceptApi(JsonApi):
    """受理, by the department the application is routed to (or the district admin)."""

    @extend_schema(
        operation_id="application_accept",
        request=None,
        responses={200: ApplicationOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, application_id: UUID) -> Response:
        application = selectors.application_get_for(
            actor=request.user, application_id=application_id, may=selectors.may_handle
        )
        application = services.application_accept(actor=request.user, application=application)
        return Response(ApplicationOutputSerializer(application).data)


class ResponsibilityOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    district = serializers.CharField(source="district.code")
    category = serializers.CharField(source="category_id")
    department = serializers.CharField(source="department.name")
    steps = serializers.CharField()
    accept_days = serializers.IntegerField()
    investigate_days = serializers.IntegerField()
    notice_days = serializers.IntegerField()
    total_days = serializers.IntegerField()
    reject_notice_days = serializers.IntegerField()
    investigation_required = serializers.BooleanField()
    notice_required = serializers.BooleanField()
    version = serializers.IntegerField()


class ResponsibilityListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="responsibility_list",
        responses={200: ResponsibilityOutputSerializer(many=True), **FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        if not can(request.user, Can.VIEW_REGISTRY):
            raise PermissionDenied
        return paginated_response(
            queryset=selectors.responsibility_list(actor=request.user),
            serializer_class=ResponsibilityOutputSerializer,
            request=request,
            view=self,
        )


class NoticeOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    community = serializers.CharField(source="community.code", help_text=_("社区区划代码"))
    community_name = serializers.CharField(source="community.name")
    start = serializers.DateField()
    end = serializers.DateField(help_text=_("公示期满后自动撤下"))
    hotline = serializers.CharField()
    applications = serializers.SerializerMethodField(help_text=_("列入公示的受理编号"))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_applications(self, notice: Notice) -> list[str]:
        return [a.reference for a in notice.applications.all()]


class NoticeListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="notice_list",
        responses={200: NoticeOutputSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            queryset=selectors.notice_list(actor=request.user).prefetch_related("applications"),
            serializer_class=NoticeOutputSerializer,
            request=request,
            view=self,
        )


class LookupOutputSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=Application.Status.choices)
    step_label = serializers.CharField()
    received_on = serializers.DateField()
    accepted_on = serializers.DateField(allow_null=True)
    notice_start = serializers.DateField(allow_null=True)
    notice_end = serializers.DateField(allow_null=True)
    decided_on = serializers.DateField(allow_null=True)
    more_requested = serializers.BooleanField()


class ApplicationLookupApi(JsonApi):
    """The applicant's lookup: no account, nothing personal, rate-limited."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        reference = serializers.CharField(max_length=20)
        phone = serializers.CharField(max_length=20)

    @extend_schema(
        operation_id="application_lookup",
        request=InputSerializer,
        responses={
            200: LookupOutputSerializer,
            **INVALID,
            404: OpenApiResponse(description=_("编号与电话不匹配")),
            429: OpenApiResponse(description=_("查询过于频繁")),
        },
    )
    def post(self, request: Request) -> Response:
        data = _input(self, request)
        progress = lookup.application_lookup(
            reference=data["reference"], phone=data["phone"], ip=client_ip(request) or ""
        )
        if progress is None:
            return Response(
                {"detail": _("没有找到与编号和电话相符的申请。")}, status=status.HTTP_404_NOT_FOUND
            )
        return Response(LookupOutputSerializer(progress).data)
