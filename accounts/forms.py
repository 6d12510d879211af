"""The password change form of the user's own page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's (the current password, then the new one twice, through the validators of
    AUTH_PASSWORD_VALIDATORS), refusing a new password that is the current one: a temporary
    password kept would defeat the change."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") == data.get("old_password"):
            raise ValidationError({"new_password2": _("新密码不能与当前密码相同。")})
        return data
