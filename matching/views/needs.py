"""Pages of needs: the list, recording one, its page with suggestions, the batch run."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from access.capabilities import Can, can
from core.forms import add_service_errors
from core.keyset import keyset_page
from households.models import Member
from households.selectors import area_list, household_get
from matching import selectors, services
from matching.candidates import need_suggestions, serving_resource_ids
from matching.forms import MatchRunForm, NeedForm, ReasonForm, ReferForm
from matching.models import Need
from matching.views._common import DomainError, message_of, query_without_cursor
from resources.selectors import resource_get

STATUS_TABS = [
    ("open", gettext_lazy("待匹配"), [Need.Status.OPEN]),
    ("active", gettext_lazy("进行中"), [Need.Status.MATCHED, Need.Status.IN_PROGRESS]),
    ("done", gettext_lazy("已办结"), [Need.Status.MET, Need.Status.CLOSED]),
]


class NeedListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, Can.VIEW_NEEDS):
            raise PermissionDenied
        tab = request.GET.get("tab") or "open"
        statuses = next((s for key, _l, s in STATUS_TABS if key == tab), STATUS_TABS[0][2])
        qs = selectors.need_list(actor=request.user, filters={"status": statuses})
        page = keyset_page(qs, after=request.GET.get("after"), before=request.GET.get("before"))
        return render(
            request,
            "matching/need_list.html",
            {
                "page": page,
                "tabs": [(key, label) for key, label, _s in STATUS_TABS],
                "tab": tab,
                "query": query_without_cursor(request),
                "can_work": can(request.user, Can.WORK_NEEDS),
            },
        )


class NeedCreateView(LoginRequiredMixin, View):
    template = "matching/need_form.html"

    def _form(self, request: HttpRequest, household: object) -> NeedForm:
        if not can(request.user, Can.WORK_NEEDS):
            raise PermissionDenied
        members = household.members.filter(status=Member.Status.ACTIVE).order_by("created_at")
        data = request.POST if request.method == "POST" else None
        return NeedForm(data, members=members)

    def get(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = household_get(actor=request.user, household_id=household_id)
        form = self._form(request, household)
        return render(request, self.template, {"form": form, "household": household})

    def post(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = household_get(actor=request.user, household_id=household_id)
        form = self._form(request, household)
        if form.is_valid():
            try:
                need = services.need_create(
                    actor=request.user, household=household, **form.cleaned_data
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("需求已登记，请从推荐中选择资源转介。"))
                return redirect("matching:need", need_id=need.uuid)
        context = {"form": form, "household": household}
        return render(request, self.template, context, status=400)


class NeedDetailView(LoginRequiredMixin, View):
    """A need with its referrals and, while it is open, ranked suggestions to refer it to."""

    def get(self, request: HttpRequest, need_id: str) -> HttpResponse:
        need = selectors.need_get(actor=request.user, need_id=need_id)
        can_work = can(request.user, Can.WORK_NEEDS)
        show_serving = request.GET.get("serving") == "1"
        suggestions = (
            need_suggestions(need, today=timezone.localdate(), include_serving=show_serving)
            if can_work
            else []
        )
        return render(
            request,
            "matching/need_detail.html",
            {
                "need": need,
                "referrals": selectors.need_referrals(need=need),
                "suggestions": suggestions,
                "show_serving": show_serving,
                "serving_left_out": can_work
                and not show_serving
                and need.is_open
                and bool(serving_resource_ids(need)),
                "can_work": can_work,
                "close_form": ReasonForm(),
            },
        )


class NeedReferView(LoginRequiredMixin, View):
    """转介: refer the need to the chosen suggestion (POST only)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, need_id: str) -> HttpResponse:
        need = selectors.need_get_for_work(actor=request.user, need_id=need_id)
        form = ReferForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择要转介的资源。"))
            return redirect("matching:need", need_id=need.uuid)
        resource = resource_get(actor=request.user, resource_id=form.cleaned_data["resource"])
        try:
            referral = services.referral_propose(
                actor=request.user,
                need=need,
                resource=resource,
                quantity=form.cleaned_data["quantity"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            messages.error(request, message_of(error))
            return redirect("matching:need", need_id=need.uuid)
        messages.success(request, _("已转介给“%(name)s”，等待对方接收。") % {"name": resource.name})
        return redirect("matching:referral", referral_id=referral.uuid)


class NeedCloseView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, need_id: str) -> HttpResponse:
        need = selectors.need_get_for_work(actor=request.user, need_id=need_id)
        form = ReasonForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("请填写关闭原因。"))
            services.need_close(actor=request.user, need=need, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, message_of(error))
        else:
            messages.success(request, _("需求已关闭。"))
        return redirect("matching:need", need_id=need.uuid)


class MatchRunView(LoginRequiredMixin, View):
    """Batch matching of every open need in an area the worker chooses."""

    template = "matching/match_run.html"

    def _form(self, request: HttpRequest) -> MatchRunForm:
        if not can(request.user, Can.WORK_NEEDS):
            raise PermissionDenied
        areas = area_list(actor=request.user).exclude(level="grid")
        data = request.POST if request.method == "POST" else None
        return MatchRunForm(data, areas=areas, initial={"area": request.user.area_id})

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request)
        if form.is_valid():
            try:
                run = services.match_run(actor=request.user, area=form.cleaned_data["area"])
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "批量匹配完成：%(needs)d 项待匹配需求，提出 %(made)d 个转介，"
                        "%(left)d 项暂无可用资源（用时 %(ms)d 毫秒）。"
                    )
                    % {
                        "needs": run.needs_considered,
                        "made": run.referrals_made,
                        "left": run.unmatched,
                        "ms": run.duration_ms,
                    },
                )
                return redirect(f"{reverse('matching:needs')}?tab=active")
        return render(request, self.template, {"form": form}, status=400)
