"""Pages where street staff keep their street's social workers and district admins the
district's accounts and areas, without Django's admin.

An account or area outside the actor's keeping is 404; a page of a kind the actor keeps none
of is 403. The writes and their rules are the services' (accounts.services, households.services).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from access.capabilities import Can, can
from accounts import selectors, services
from accounts.forms import AreaCreateForm, AreaRenameForm, UserKeepForm
from core.forms import add_service_errors
from core.keyset import keyset_page
from households import services as household_services
from households.models import Area, User
from households.selectors import area_get, area_list


def _require_keeper(request: HttpRequest) -> None:
    if not can(request.user, Can.KEEP_USERS):
        raise PermissionDenied


def _require_area_keeper(request: HttpRequest) -> None:
    user = request.user
    if not (user.is_active and user.role == User.Role.DISTRICT_ADMIN and user.area_id):
        raise PermissionDenied


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


# ---- accounts ---------------------------------------------------------------------------


class UserListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        _require_keeper(request)
        filters = {k: v for k, v in request.GET.items() if k in ("q", "role", "active") and v}
        try:
            qs = selectors.user_list(actor=request.user, filters=filters)
        except ValidationError:
            qs = selectors.user_list(actor=request.user)
            filters = {}
        page = keyset_page(qs, after=request.GET.get("after"), before=request.GET.get("before"))
        query = request.GET.copy()
        for key in ("after", "before"):
            query.pop(key, None)
        return render(
            request,
            "accounts/user_list.html",
            {
                "page": page,
                "filters": filters,
                "query": query.urlencode(),
                "roles": [
                    (v, label)
                    for v, label in User.Role.choices
                    if v in services.roles_grantable_by(request.user)
                ],
                "street_only": request.user.role == User.Role.STREET_STAFF,
            },
        )


class UserCreateView(LoginRequiredMixin, View):
    template = "accounts/user_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_keeper(request)
        return render(request, self.template, {"form": UserKeepForm(actor=request.user)})

    def post(self, request: HttpRequest) -> HttpResponse:
        _require_keeper(request)
        form = UserKeepForm(request.POST, actor=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user, password = services.user_create(
                    actor=request.user,
                    username=data["username"],
                    display_name=data["display_name"],
                    phone=data["phone"],
                    role=data["role"],
                    area=data["area"],
                    grants=data.get("grants", ()),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("您无权作此更改。"))
            else:
                # Shown here once, not after a redirect: the password is stored nowhere.
                response = render(
                    request, "accounts/user_created.html", {"new": user, "password": password}
                )
                return _no_store(response)
        return render(request, self.template, {"form": form}, status=400)


class UserEditView(LoginRequiredMixin, View):
    template = "accounts/user_form.html"

    def _initial(self, user: User) -> dict[str, Any]:
        return {
            "display_name": user.display_name,
            "phone": user.phone,
            "role": user.role,
            "area": user.area_id,
            "grants": services.user_grants(user),
        }

    def get(self, request: HttpRequest, username: str) -> HttpResponse:
        user = selectors.user_get_for_manage(actor=request.user, username=username)
        form = UserKeepForm(initial=self._initial(user), actor=request.user, editing=user)
        return render(request, self.template, {"form": form, "editing": user})

    def post(self, request: HttpRequest, username: str) -> HttpResponse:
        user = selectors.user_get_for_manage(actor=request.user, username=username)
        form = UserKeepForm(request.POST, actor=request.user, editing=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.user_update(
                    actor=request.user,
                    user=user,
                    display_name=data["display_name"],
                    phone=data["phone"],
                    role=data.get("role"),
                    area=data.get("area"),
                    grants=data.get("grants") if "grants" in form.fields else None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("您无权作此更改。"))
            else:
                messages.success(request, _("账号 %(name)s 已保存。") % {"name": user})
                return redirect("manage:users")
        return render(request, self.template, {"form": form, "editing": user}, status=400)


class UserDeactivateView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, username: str) -> HttpResponse:
        user = selectors.user_get_for_manage(actor=request.user, username=username)
        services.user_deactivate(actor=request.user, user=user)
        messages.success(request, _("账号 %(name)s 已停用，其 API 令牌已撤销。") % {"name": user})
        return redirect("manage:users")


# ---- areas ------------------------------------------------------------------------------


class AreaListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        _require_area_keeper(request)
        areas = list(
            area_list(actor=request.user).filter(
                level__in=[Area.Level.DISTRICT, Area.Level.STREET, Area.Level.COMMUNITY]
            )
        )
        grids = dict.fromkeys((a.pk for a in areas), 0)
        for parent_id in area_list(actor=request.user, filters={"level": "grid"}).values_list(
            "parent_id", flat=True
        ):
            grids[parent_id] = grids.get(parent_id, 0) + 1
        rows = [(area, grids.get(area.pk, 0)) for area in areas]
        return render(request, "accounts/area_list.html", {"rows": rows})


class AreaCreateView(LoginRequiredMixin, View):
    template = "accounts/area_form.html"

    def _form(self, request: HttpRequest, data: Any = None) -> AreaCreateForm:
        _require_area_keeper(request)
        parents = area_list(actor=request.user).exclude(level=Area.Level.GRID)
        initial = {}
        if parent := parents.filter(code=request.GET.get("parent") or "").first():
            initial = {"parent": parent.pk, "code": parent.prefix}
        return AreaCreateForm(data, parents=parents, initial=initial)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                area = household_services.area_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已添加%(level)s“%(name)s”（%(code)s）。")
                    % {"level": area.get_level_display(), "name": area.name, "code": area.code},
                )
                return redirect("manage:areas")
        return render(request, self.template, {"form": form}, status=400)


class AreaEditView(LoginRequiredMixin, View):
    template = "accounts/area_form.html"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        _require_area_keeper(request)
        area = area_get(actor=request.user, code=code)
        form = AreaRenameForm(initial={"name": area.name})
        return render(request, self.template, {"form": form, "area": area})

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        _require_area_keeper(request)
        area = area_get(actor=request.user, code=code)
        form = AreaRenameForm(request.POST)
        if form.is_valid():
            try:
                household_services.area_rename(
                    actor=request.user, area=area, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("区划名称已保存。"))
                return redirect("manage:areas")
        return render(request, self.template, {"form": form, "area": area}, status=400)
