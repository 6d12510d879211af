"""The user admin (accounts, roles and areas of the users of households/), with the password
an admin sets and the API tokens an admin revokes.

Tokens are revoked from the user admin (an action), never made or read in the admin:
knox's own admin would issue a token with no device and show every token's hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from knox.models import AuthToken

from access.scope import within
from accounts import services as account_services
from households.models import User

admin.site.unregister(AuthToken)

# The admin who sets a password on the user admin's password page: Django builds that
# page's form with the user alone, so the acting admin reaches the form's save this way.
_password_setter: ContextVar[User | None] = ContextVar("password_setter", default=None)


@contextmanager
def _setting_passwords_as(actor: User) -> Iterator[None]:
    token = _password_setter.set(actor)
    try:
        yield
    finally:
        _password_setter.reset(token)


class PasswordSetForm(AdminPasswordChangeForm):
    """The user admin's password page: the password an admin sets is temporary (the user
    changes it at their next sign-in) and ends the user's API tokens."""

    def save(self, commit: bool = True) -> User:
        usable = self.cleaned_data.get("set_usable_password", True)
        return account_services.user_password_set(
            actor=_password_setter.get(),
            user=self.user,
            password=self.cleaned_data["password1"] if usable else None,
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "display_name",
        "role",
        "area",
        "is_active",
        "must_change_password",
        "last_login",
    ]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["area"]
    search_fields = ["username", "display_name"]
    raw_id_fields = ["area"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("助联"), {"fields": ("display_name", "phone", "role", "area", "must_change_password")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("助联"), {"fields": ("display_name", "role", "area")}),
    )
    change_password_form = PasswordSetForm
    actions = ["revoke_api_tokens"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        """A district admin manages the users of their own district only."""
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        area = getattr(request.user, "area", None)
        if area is None:
            return qs.none()
        return qs.filter(within("area__prefix", area.prefix))

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            # The password an admin gives a new account is a temporary one.
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        with _setting_passwords_as(request.user):
            return super().user_change_password(request, id, form_url)

    @admin.action(description=_("撤销所选用户的全部 API 令牌"))
    def revoke_api_tokens(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        total = sum(
            account_services.api_tokens_revoke_all(actor=request.user, user=user)
            for user in queryset
        )
        users = queryset.count()
        self.message_user(
            request,
            ngettext(
                "已撤销 %(users)d 个用户的 %(tokens)d 个令牌。",
                "已撤销 %(users)d 个用户的 %(tokens)d 个令牌。",
                users,
            )
            % {"users": users, "tokens": total},
            messages.SUCCESS,
        )
