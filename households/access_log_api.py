"""The access-log API, included under /api/v1/ with the namespace "api-audit": the list and
the search by identity number (POST). Auditors and district admins only, in their area."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import FORBIDDEN, INVALID, NOT_FOUND, filter_parameters, validated
from core.models import AccessLog
from core.pagination import KeysetPagination, paginated_response
from households import idnumber
from households.access_log import (
    AccessLogFilter,
    access_log_qs_visible_to,
    access_log_search,
    describe,
    households_with_id_number,
)


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
