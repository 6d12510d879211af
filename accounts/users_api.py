"""The accounts API (/api/v1/users/): street staff keep their street's social workers, a
district admin every account of the district. Thin over accounts.selectors and .services:
an account out of the caller's keeping is 404, a role or grant above theirs 403."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from access.capabilities import Can, can
from accounts import selectors, services
from accounts.filters import UserFilter
from core.api import FORBIDDEN, INVALID, NOT_FOUND, WRITE_ERRORS, JsonApi, filter_parameters
from core.api import validated as _input
from core.pagination import KeysetPagination, paginated_response
from households.models import User
from households.selectors import area_qs_visible_to
from households.serializers import StatusField, VisibleAreaField

if TYPE_CHECKING:
    from rest_framework.request import Request


@extend_schema_serializer(component_name="User")
class UserOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    phone = serializers.CharField()
    role = StatusField(User.Role)
    area = serializers.CharField(source="area.code", allow_null=True)
    area_name = serializers.CharField(source="area.name", allow_null=True)
    is_active = serializers.BooleanField()
    must_change_password = serializers.BooleanField(help_text=_("临时密码尚未修改"))
    grants = serializers.SerializerMethodField(help_text=_("角色之外另授予的权限"))

    def get_grants(self, user: User) -> list[str]:
        return sorted(
            p.codename for p in user.user_permissions.all() if p.codename in services.GRANTS
        )


@extend_schema_serializer(component_name="UserCreated")
class _CreatedOutputSerializer(UserOutputSerializer):
    temporary_password = serializers.CharField(
        help_text=_("临时密码，只在此显示一次；用户首次登录时须修改")
    )


def _grants_field(**kwargs: Any) -> serializers.MultipleChoiceField:
    return serializers.MultipleChoiceField(
        choices=services.GRANTS,
        help_text=_(
            "reveal_id_number：查看完整身份证号；export_full_id_number：导出完整身份证号（仅区管理员可授予）"
        ),
        **kwargs,
    )


def _require_keeper(request: Request) -> None:
    if not can(request.user, Can.KEEP_USERS):
        raise exceptions.PermissionDenied


def _with_grants(user: User) -> User:
    return User.objects.prefetch_related("user_permissions").select_related("area").get(pk=user.pk)


class UserListApi(JsonApi):
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="user_list",
        parameters=filter_parameters(UserFilter),
        responses={200: UserOutputSerializer(many=True), **INVALID, **FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        _require_keeper(request)
        users = selectors.user_list(actor=request.user, filters=request.query_params)
        return paginated_response(
            queryset=users.prefetch_related("user_permissions"),
            serializer_class=UserOutputSerializer,
            request=request,
            view=self,
        )


class UserCreateApi(JsonApi):
    @extend_schema_serializer(component_name="UserCreate")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        display_name = serializers.CharField(max_length=50)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
        role = StatusField(User.Role, help_text=_("街道工作人员只能添加社工/网格员"))
        area = VisibleAreaField(
            visible=area_qs_visible_to, help_text=_("所属区划的代码，须在您的管辖范围内")
        )
        grants = _grants_field(required=False)

    @extend_schema(
        operation_id="user_create",
        request=InputSerializer,
        responses={201: _CreatedOutputSerializer, **INVALID, **FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        _require_keeper(request)
        data = _input(self, request)
        user, password = services.user_create(
            actor=request.user,
            username=data["username"],
            display_name=data["display_name"],
            phone=data.get("phone", ""),
            role=data["role"],
            area=data["area"],
            grants=data.get("grants", ()),
        )
        user = _with_grants(user)
        user.temporary_password = password
        response = Response(_CreatedOutputSerializer(user).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class UserDetailApi(JsonApi):
    @extend_schema(operation_id="user_get", responses={200: UserOutputSerializer, **NOT_FOUND})
    def get(self, request: Request, username: str) -> Response:
        user = selectors.user_get_for_manage(actor=request.user, username=username)
        return Response(UserOutputSerializer(_with_grants(user)).data)


class UserUpdateApi(JsonApi):
    @extend_schema_serializer(component_name="UserUpdate")
    class InputSerializer(serializers.Serializer):
        display_name = serializers.CharField(max_length=50, required=False)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
        role = StatusField(User.Role, required=False)
        area = VisibleAreaField(
            visible=area_qs_visible_to,
            required=False,
            help_text=_("调动到的区划代码，须在您的管辖范围内"),
        )
        grants = _grants_field(required=False)

    @extend_schema(
        operation_id="user_update",
        request=InputSerializer,
        responses={200: UserOutputSerializer, **WRITE_ERRORS},
    )
    def patch(self, request: Request, username: str) -> Response:
        user = selectors.user_get_for_manage(actor=request.user, username=username)
        data = _input(self, request)
        user = services.user_update(actor=request.user, user=user, **data)
        return Response(UserOutputSerializer(_with_grants(user)).data)


class UserDeactivateApi(JsonApi):
    @extend_schema(
        operation_id="user_deactivate",
        request=None,
        responses={200: UserOutputSerializer, **FORBIDDEN, **NOT_FOUND},
    )
    def post(self, request: Request, username: str) -> Response:
        """Stop the account: it can no longer sign in, and its API tokens are revoked."""
        user = selectors.user_get_for_manage(actor=request.user, username=username)
        user = services.user_deactivate(actor=request.user, user=user)
        return Response(UserOutputSerializer(_with_grants(user)).data)
