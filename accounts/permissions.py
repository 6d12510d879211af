"""The API's answer to a user who must change their password first."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

PASSWORD_CHANGE_REQUIRED = _("管理员为您设置了临时密码：请先登录网页修改密码，再使用 API。")


class PasswordIsCurrent(BasePermission):
    """403 for a user whose password an admin set, until they change it (in the web pages:
    the API has no password change)."""

    message = PASSWORD_CHANGE_REQUIRED

    def has_permission(self, request: Any, view: Any) -> bool:
        return not getattr(request.user, "must_change_password", False)
