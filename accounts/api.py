"""API sign-in and sign-out: a knox token per call (per device), revoked at logout."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.authentication import HistoryTokenAuthentication
from accounts.permissions import PASSWORD_CHANGE_REQUIRED
from core.api import INVALID
from core.audit import log_access
from core.models import AccessLog

_SIGNED_OUT = {
    204: OpenApiResponse(description=_("已撤销")),
    401: OpenApiResponse(description=_("令牌无效或已过期")),
}


class TokenObtainApi(APIView):
    """Exchange a user name and password for a new API token, for this device alone.

    Each call issues another token (a script, a phone, a laptop each hold their own); a
    token ends after the idle period without use, or at its maximum age, or at logout. The
    login goes to the access log."""

    authentication_classes: list[type] = []  # the credentials are in the body
    permission_classes: list[type] = []
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema_serializer(component_name="TokenObtain")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(label=_("用户名"), write_only=True)
        password = serializers.CharField(
            label=_("密码"),
            write_only=True,
            trim_whitespace=False,
            style={"input_type": "password"},
        )
        device = serializers.CharField(
            label=_("设备名称"),
            help_text=_("便于在“API 令牌”页面认出此令牌；缺省为请求的 User-Agent"),
            required=False,
            allow_blank=True,
            max_length=services.DEVICE_MAX,
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            user = authenticate(
                request=self.context["request"],
                username=attrs["username"],
                password=attrs["password"],
            )
            if user is None:
                raise serializers.ValidationError(_("用户名或密码不正确。"), code="authorization")
            attrs["user"] = user
            return attrs

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expiry = serializers.DateTimeField(help_text=_("闲置到此时即失效；每次使用顺延"))

    @extend_schema(
        operation_id="auth_token_create",
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            **INVALID,
            403: OpenApiResponse(description=_("须先在网页上修改管理员设置的临时密码")),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        if user.must_change_password:
            raise exceptions.PermissionDenied(PASSWORD_CHANGE_REQUIRED)
        device = serializer.validated_data.get("device") or request.headers.get("User-Agent", "")
        with transaction.atomic():  # no token without its entry in the access log
            info, key = services.api_token_issue(actor=user, device=device)
            log_access(
                actor=user,
                action=AccessLog.Action.LOGIN,
                request=request,
                detail={"via": "api-token"},
            )
        return Response(self.OutputSerializer({"token": key, "expiry": info.token.expiry}).data)


class _SignOutApi(APIView):
    # Token requests only (a browser signs out of its session on the page); allowed to a
    # user who must change their password, who may still give up a token.
    authentication_classes = [HistoryTokenAuthentication]
    permission_classes = [IsAuthenticated]


class TokenLogoutApi(_SignOutApi):
    """Revoke the token this request is made with."""

    @extend_schema(operation_id="auth_logout", request=None, responses=_SIGNED_OUT)
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AuthToken):
            services.api_token_revoke(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenLogoutAllApi(_SignOutApi):
    """Revoke every token of the user, on every device, this one included."""

    @extend_schema(operation_id="auth_logout_all", request=None, responses=_SIGNED_OUT)
    def post(self, request: Request) -> Response:
        services.api_tokens_revoke_all(actor=request.user, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
