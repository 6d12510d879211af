"""The API of 一门受理: /api/v1/applications/ (taking, acceptance and the steps after it),
/api/v1/responsibilities/, /api/v1/notices/ and the public /api/v1/application-lookup/.

One APIView per operation, like reviews/api.py: parse, fetch through a selector (404 when
missing or out of scope, 403 when visible but not the actor's to act on), one service.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404
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


class InvestigationOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    application = serializers.CharField(source="application.reference")
    visited_on = serializers.DateField()
    household_size = serializers.IntegerField()
    per_capita_income = serializers.DecimalField(max_digits=10, decimal_places=2)
    standard_amount = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    paper_signed = serializers.BooleanField()


class _StepApi(JsonApi):
    """One step after acceptance, as the page's step does it: the application through the
    selector first (404 out of scope, 403 not the actor's step), then the body (400), then
    the step's own service, which checks the role and the step again."""

    def may(self, actor: Any, application: Application) -> bool:
        return selectors.may_handle(actor, application)

    def application(self, request: Request, application_id: UUID) -> Application:
        return selectors.application_get_for(
            actor=request.user, application_id=application_id, may=self.may
        )


class ApplicationRequestMoreApi(_StepApi):
    """补充材料: the department asks the window for more papers (the acceptance limit runs on)."""

    @extend_schema_serializer(component_name="ApplicationRequestMore")
    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(help_text=_("需要补充的材料"))

    @extend_schema(
        operation_id="application_request_more",
        request=InputSerializer,
        responses={200: ApplicationOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, application_id: UUID) -> Response:
        application = self.application(request, application_id)
        data = _input(self, request)
        application = services.application_request_more(
            actor=request.user, application=application, text=data["text"]
        )
        return Response(ApplicationOutputSerializer(application).data)


class ApplicationInvestigateApi(_StepApi):
    """入户调查: two investigators or more of the household's area, the household's means, and
    the paper form ticked as signed or a signature drawn on the phone."""

    def may(self, actor: Any, application: Application) -> bool:
        return can(actor, Can.INVESTIGATE)

    @extend_schema_serializer(component_name="ApplicationInvestigate")
    class InputSerializer(serializers.Serializer):
        visited_on = serializers.DateField()
        investigators = serializers.ListField(
            child=serializers.CharField(), help_text=_("调查人员的用户名，至少两名")
        )
        household_size = serializers.IntegerField(min_value=1)
        monthly_income = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
        assets = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
        rigid_spending = serializers.DecimalField(
            max_digits=10, decimal_places=2, min_value=0, required=False, default=0
        )
        findings = serializers.CharField(required=False, allow_blank=True, default="")
        signature = serializers.CharField(
            required=False, allow_blank=True, default="", help_text=_("手写签名图片（data URL）")
        )
        paper_signed = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        operation_id="application_investigate",
        request=InputSerializer,
        responses={201: InvestigationOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, application_id: UUID) -> Response:
        application = self.application(request, application_id)
        data = _input(self, request)
        names = data.pop("investigators")
        choices = selectors.investigator_choices(
            actor=request.user, household=application.household
        )
        people = list(choices.filter(username__in=names))
        if len(people) != len(set(names)):
            raise serializers.ValidationError(
                {"investigators": [_("调查人员须为本户所在区域的工作人员。")]}
            )
        investigation = services.investigation_record(
            actor=request.user, application=application, investigators=people, data=data
        )
        body = InvestigationOutputSerializer(investigation).data
        return Response(body, status=status.HTTP_201_CREATED)


class ApplicationObjectionApi(_StepApi):
    """An objection during 公示: the application goes back to investigation, off the notice."""

    def may(self, actor: Any, application: Application) -> bool:
        return can(actor, Can.RUN_STREET_STEPS)

    @extend_schema_serializer(component_name="ApplicationObjection")
    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(help_text=_("异议内容"))

    @extend_schema(
        operation_id="application_objection",
        request=InputSerializer,
        responses={200: ApplicationOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, application_id: UUID) -> Response:
        application = self.application(request, application_id)
        data = _input(self, request)
        services.objection_record(actor=request.user, application=application, text=data["text"])
        application.refresh_from_db()
        return Response(ApplicationOutputSerializer(application).data)


class ApplicationApproveApi(_StepApi):
    """Approve: the household's enrolment is created and approved from the start month."""

    @extend_schema_serializer(component_name="ApplicationApprove")
    class InputSerializer(serializers.Serializer):
        monthly_amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
        start_month = serializers.DateField(
            required=False,
            allow_null=True,
            default=None,
            input_formats=["%Y-%m", "%Y-%m-%d"],
            help_text=_("救助起始月份（YYYY-MM），默认为批准的次月"),
        )
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="application_approve",
        request=InputSerializer,
        responses={200: ApplicationOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, application_id: UUID) -> Response:
        application = self.application(request, application_id)
        data = _input(self, request)
        application = services.application_approve(
            actor=request.user,
            application=application,
            monthly_amount=data["monthly_amount"],
            start_month=data["start_month"],
            reason=data["reason"],
        )
        return Response(ApplicationOutputSerializer(application).data)


class ApplicationRejectApi(_StepApi):
    """不予批准, with written reasons; the written notice falls due on the clock."""

    @extend_schema_serializer(component_name="ApplicationReject")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(help_text=_("不予批准的理由"))

    @extend_schema(
        operation_id="application_reject",
        request=InputSerializer,
        responses={200: ApplicationOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, application_id: UUID) -> Response:
        application = self.application(request, application_id)
        data = _input(self, request)
        application = services.application_reject(
            actor=request.user, application=application, reason=data["reason"]
        )
        return Response(ApplicationOutputSerializer(application).data)


class ApplicationNoticeSentApi(_StepApi):
    """The written rejection notice has been sent: the application leaves the clock."""

    def may(self, actor: Any, application: Application) -> bool:
        return selectors.may_handle(actor, application) or can(actor, Can.RUN_STREET_STEPS)

    @extend_schema(
        operation_id="application_notice_sent",
        request=None,
        responses={200: ApplicationOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, application_id: UUID) -> Response:
        application = self.application(request, application_id)
        application = services.rejection_notice_sent(actor=request.user, application=application)
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


class NoticePublishApi(JsonApi):
    """Put up one community's 公示: the period starts today and runs the days the
    responsibility list sets for the applications on it (the longest of them)."""

    @extend_schema_serializer(component_name="NoticePublish")
    class InputSerializer(serializers.Serializer):
        community = serializers.CharField(max_length=20, help_text=_("社区区划代码"))
        applications = serializers.ListField(
            child=serializers.CharField(max_length=20), help_text=_("列入公示的受理编号")
        )
        hotline = serializers.CharField(max_length=30, help_text=_("监督电话"))

    @extend_schema(
        operation_id="notice_publish",
        request=InputSerializer,
        responses={201: NoticeOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        if not can(request.user, Can.RUN_STREET_STEPS):
            raise PermissionDenied
        data = _input(self, request)
        community = (
            selectors.community_choices(actor=request.user).filter(code=data["community"]).first()
        )
        if community is None:
            raise Http404
        ready = {
            a.reference: a for a in selectors.publishable(actor=request.user, community=community)
        }
        missing = [r for r in data["applications"] if r not in ready]
        if missing:
            raise serializers.ValidationError(
                {"applications": [_("申请 %(r)s 不能列入本社区的公示。") % {"r": missing[0]}]}
            )
        notice = services.notice_publish(
            actor=request.user,
            community=community,
            applications=[ready[r] for r in dict.fromkeys(data["applications"])],
            hotline=data["hotline"],
        )
        return Response(NoticeOutputSerializer(notice).data, status=status.HTTP_201_CREATED)


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
