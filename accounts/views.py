"""The user's own account pages: changing the password, seeing and revoking API tokens."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views import View
from knox.settings import knox_settings

from accounts import selectors, services
from accounts.forms import PasswordChangeForm


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, in the site's layout; the change goes through the service."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("households:home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        user = services.user_password_change(
            actor=self.request.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, user)  # this session stays signed in
        messages.success(self.request, _("密码已修改。"))
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "forced": self.request.user.must_change_password,
        }


class ApiTokenListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            "tokens": selectors.api_token_list(actor=request.user),
            "idle_days": knox_settings.TOKEN_TTL.days,
            "max_days": knox_settings.AUTO_REFRESH_MAX_TTL.days,
        }
        return render(request, "accounts/token_list.html", context)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, token_id: UUID) -> HttpResponse:
        info = selectors.api_token_get(actor=request.user, token_id=token_id)
        services.api_token_revoke(actor=request.user, token=info.token)
        messages.success(request, _("令牌 %(prefix)s… 已撤销。") % {"prefix": info.prefix})
        return redirect("accounts:tokens")


class ApiTokenRevokeAllView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        count = services.api_tokens_revoke_all(actor=request.user, user=request.user)
        messages.success(request, _("已撤销全部 %(count)d 个令牌。") % {"count": count})
        return redirect("accounts:tokens")
