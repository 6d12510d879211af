"""API plumbing shared by every app: errors in the user's language with the right status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters import BooleanFilter, ChoiceFilter, DateFilter, FilterSet, UUIDFilter
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import ApplicationError, RateLimitedError, StaleVersionError
from core.models import AccessLog
from core.pagination import KeysetPagination, paginated_response
from households.access_log import (
    AccessLogFilter,
    access_log_qs_visible_to,
    access_log_search,
    describe,
    households_with_id_number,
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Domain errors become 400 (409 for a stale version, 429 for a rate limit) with
    field-level messages."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, StaleVersionError):
        exc = Conflict(detail=exc.message)
    elif isinstance(exc, RateLimitedError):
        wait = exc.retry_after
        exc = exceptions.Throttled(detail=exc.message)  # our message alone, in our words
        exc.wait = wait  # for the Retry-After header
    elif isinstance(exc, ApplicationError):
        exc = exceptions.ValidationError(detail={"detail": [exc.message]})
    return drf_exception_handler(exc, context)


def one_url(name: str, *operations: type[APIView]) -> Callable[..., Any]:
    """Serve one-operation views that REST puts on one URL (list + create, get + update).

    DRF routes by URL, so their handlers are joined into one class. They must not share a
    handler, serializer or setting, or one would silently shadow the other.
    """
    seen: set[str] = set()
    for operation in operations:
        own = {attr for attr in vars(operation) if not attr.startswith("__")}
        if own & seen:
            raise ImproperlyConfigured(f"{name}: {sorted(own & seen)} defined twice")
        seen |= own
    return type(name, operations, {"__doc__": operations[0].__doc__}).as_view()


# JSON in and out. Who may see or do what is decided by the selectors and services.
# (A comment, not a docstring: the schema would publish it as every operation's description.)
class JsonApi(APIView):
    parser_classes = [JSONParser]


def validated(api: APIView, request: Request, **context: Any) -> dict[str, Any]:
    """The view's InputSerializer applied to the request body, or a 400 with field errors."""
    serializer = api.InputSerializer(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


_FILTER_TYPES = {
    UUIDFilter: OpenApiTypes.UUID,
    DateFilter: OpenApiTypes.DATE,
    BooleanFilter: OpenApiTypes.BOOL,
}


def filter_parameters(filterset: type[FilterSet]) -> list[OpenApiParameter]:
    """The query parameters of a list, read from the FilterSet its selector applies."""
    parameters = []
    for name, declared in filterset.base_filters.items():
        choices = declared.extra.get("choices") if isinstance(declared, ChoiceFilter) else None
        parameters.append(
            OpenApiParameter(
                name,
                _FILTER_TYPES.get(type(declared), OpenApiTypes.STR),
                description=str(declared.label),
                enum=[value for value, _label in choices] if choices else None,
            )
        )
    return parameters


# The documented error responses every app's operations share.
NOT_FOUND = {404: OpenApiResponse(description=_("不存在，或不在您的管辖范围内"))}
INVALID = {400: OpenApiResponse(description=_("输入有误：字段名 → 错误信息列表"))}
FORBIDDEN = {403: OpenApiResponse(description=_("可以查看，但无权执行此操作"))}
STALE = {409: OpenApiResponse(description=_("记录已被他人修改（version 已过期），未作任何更改"))}
WRITE_ERRORS = {**INVALID, **FORBIDDEN, **NOT_FOUND}


# ---- the access log (auditors and district admins, in their area) --------------------------


class AccessLogOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    username = serializers.CharField()
    action = serializers.ChoiceField(choices=AccessLog.Action.choices)
    household = serializers.UUIDField(source="household_uuid", allow_null=True)
    object_type = serializers.CharField()
    object_id = serializers.IntegerField(allow_null=True)
    area_code = serializers.CharField()
    ip_address = serializers.IPAddressField(allow_null=True)
    detail = serializers.JSONField()
    details = serializers.SerializerMethodField(
        help_text=_("详情的中文说明：导出的台账、行数、是否含完整身份证号，查看事由等")
    )

    @extend_schema_field(
        inline_serializer(
            "AccessLogDetailLine",
            {"label": serializers.CharField(), "text": serializers.CharField()},
            many=True,
        )
    )
    def get_details(self, entry: AccessLog) -> list[dict[str, str]]:
        return [{"label": k, "text": v} for k, v in describe(entry.action, entry.detail)]


class AccessLogListApi(APIView):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="access_log_list",
        parameters=filter_parameters(AccessLogFilter),
        responses={
            200: AccessLogOutputSerializer(many=True),
            **INVALID,
            **FORBIDDEN,
            **NOT_FOUND,
        },
    )
    def get(self, request: Request) -> Response:
        entries = access_log_search(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=entries,
            serializer_class=AccessLogOutputSerializer,
            request=request,
            view=self,
        )


class AccessLogIdSearchApi(APIView):
    """POST: the entries about the reader's households where a member holds an identity
    number (the number in the body, never in a URL); other filters as in the list, in the
    body too; the page cursor (`cursor`) in the query string, the body sent again."""

    pagination_class = KeysetPagination
    parser_classes = [JSONParser]

    @extend_schema_serializer(component_name="AccessLogIdSearch")
    class InputSerializer(serializers.Serializer):
        id_number = serializers.CharField(max_length=24, help_text=_("18 位身份证号"))
        user = serializers.CharField(max_length=150, required=False)
        action = serializers.ChoiceField(choices=AccessLog.Action.choices, required=False)
        reason = serializers.CharField(max_length=100, required=False)
        since = serializers.DateTimeField(required=False)
        until = serializers.DateTimeField(required=False)

        def validate_id_number(self, value: str) -> str:
            from households import idnumber

            try:
                return idnumber.parse(value).number
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages) from None

    @extend_schema(
        operation_id="access_log_search_by_id_number",
        request=InputSerializer,
        responses={
            200: AccessLogOutputSerializer(many=True),
            **INVALID,
            **FORBIDDEN,
        },
    )
    def post(self, request: Request) -> Response:
        access_log_qs_visible_to(actor=request.user)  # 403 for a role that does not read it
        data = validated(self, request)
        uuids = households_with_id_number(actor=request.user, number=data.pop("id_number"))
        filters = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}
        if uuids:
            entries = access_log_search(
                actor=request.user, filters={**filters, "household": ",".join(uuids)}
            )
        else:
            entries = AccessLog.objects.none()
        response = paginated_response(
            queryset=entries,
            serializer_class=AccessLogOutputSerializer,
            request=request,
            view=self,
        )
        response["Cache-Control"] = "no-store"
        return response
