"""Pages of the resource pool: the five lists, resources, stock, providers.

Parse → access through a selector → one service → render or redirect.
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
from core.errors import ApplicationError
from core.forms import add_service_errors
from core.keyset import keyset_page
from resources import selectors, services
from resources.forms import ProviderForm, ResourceForm, ResourceSearchForm, StockReceiveForm
from resources.models import Provider, Resource
from resources.vocabulary import list_ledger_name

DomainError = (ValidationError, ApplicationError)


def _query_without_cursor(request: HttpRequest) -> str:
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    return query.urlencode()


class PoolView(LoginRequiredMixin, View):
    """The pool as the five lists of the glossary: one tab per list, one pool underneath."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, Can.VIEW_POOL):
            raise PermissionDenied
        current = request.GET.get("list") or ""
        if current not in Resource.PoolList.values:
            current = ""
        form = ResourceSearchForm(request.GET or None)
        qs = selectors.resource_list(actor=request.user, filters=form.filters(current))
        page = keyset_page(qs, after=request.GET.get("after"), before=request.GET.get("before"))
        counts = selectors.pool_list_counts(actor=request.user)
        tabs = [(value, label, counts[value]) for value, label in Resource.PoolList.choices]
        return render(
            request,
            "resources/pool.html",
            {
                "form": form,
                "page": page,
                "rows": [(r, selectors.remaining_of(r)) for r in page.items],
                "tabs": tabs,
                "total": sum(counts.values()),
                "current": current,
                "query": _query_without_cursor(request),
                "can_keep": can(request.user, Can.KEEP_POOL),
                "list_ledger": _list_ledger(request.user, current),
            },
        )


def _list_ledger(actor: Any, pool_list: str) -> str | None:
    """The ledger that exports the list shown, for those who may export ledgers."""
    if not pool_list or not can(actor, Can.EXPORT_LEDGERS):
        return None
    return list_ledger_name(pool_list)


class ResourceDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, resource_id: str) -> HttpResponse:
        resource = selectors.resource_get(actor=request.user, resource_id=resource_id)
        keeps = can(request.user, Can.KEEP_POOL)
        return render(
            request,
            "resources/resource_detail.html",
            {
                "resource": resource,
                "remaining": selectors.remaining_of(resource),
                "movements": selectors.resource_movements(resource=resource),
                "can_keep": keeps,
                "stock_form": StockReceiveForm() if keeps else None,
            },
        )


class ResourceCreateView(LoginRequiredMixin, View):
    template = "resources/resource_form.html"

    def _form(self, request: HttpRequest) -> ResourceForm:
        if not can(request.user, Can.KEEP_POOL):
            raise PermissionDenied
        return ResourceForm(
            request.POST if request.method == "POST" else None,
            providers=selectors.provider_choices_for_edit(actor=request.user),
            areas=selectors.area_choices_for_pool(actor=request.user),
            initial={"provider": request.GET.get("provider")},
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request)
        if form.is_valid():
            try:
                resource = services.resource_create(actor=request.user, **form.service_data())
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("资源已加入资源库。"))
                return redirect("resources:detail", resource_id=resource.uuid)
        return render(request, self.template, {"form": form}, status=400)


class ResourceEditView(LoginRequiredMixin, View):
    template = "resources/resource_form.html"

    def _form(self, request: HttpRequest, resource: Resource) -> ResourceForm:
        return ResourceForm(
            request.POST if request.method == "POST" else None,
            providers=selectors.provider_choices_for_edit(actor=request.user),
            areas=selectors.area_choices_for_pool(actor=request.user),
            initial=ResourceForm.initial_for(resource),
            editing=True,
        )

    def get(self, request: HttpRequest, resource_id: str) -> HttpResponse:
        resource = selectors.resource_get_for_edit(actor=request.user, resource_id=resource_id)
        context = {"form": self._form(request, resource), "resource": resource}
        return render(request, self.template, context)

    def post(self, request: HttpRequest, resource_id: str) -> HttpResponse:
        resource = selectors.resource_get_for_edit(actor=request.user, resource_id=resource_id)
        form = self._form(request, resource)
        if form.is_valid():
            try:
                services.resource_update(
                    actor=request.user,
                    resource=resource,
                    data=form.service_data(),
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("资源信息已保存。"))
                return redirect("resources:detail", resource_id=resource.uuid)
        context = {"form": form, "resource": resource}
        return render(request, self.template, context, status=400)


class StockReceiveView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, resource_id: str) -> HttpResponse:
        resource = selectors.resource_get_for_edit(actor=request.user, resource_id=resource_id)
        form = StockReceiveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写正确的入库数量。"))
            return redirect("resources:detail", resource_id=resource.uuid)
        try:
            services.stock_receive(actor=request.user, resource=resource, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, _message(error))
        else:
            messages.success(request, _("已入库。"))
        return redirect("resources:detail", resource_id=resource.uuid)


def _message(error: Any) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


# ---- providers -------------------------------------------------------------------------


class ProviderListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, Can.VIEW_POOL):
            raise PermissionDenied
        kind = request.GET.get("kind") or None
        qs = selectors.provider_list(actor=request.user, filters={"kind": kind} if kind else None)
        page = keyset_page(qs, after=request.GET.get("after"), before=request.GET.get("before"))
        return render(
            request,
            "resources/provider_list.html",
            {
                "page": page,
                "kind": kind,
                "kinds": Provider.Kind.choices,
                "query": _query_without_cursor(request),
                "can_keep": can(request.user, Can.KEEP_POOL),
            },
        )


class ProviderDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, provider_id: str) -> HttpResponse:
        provider = selectors.provider_get(actor=request.user, provider_id=provider_id)
        resources = selectors.resource_list(
            actor=request.user, filters={"provider": str(provider.uuid)}
        )[:100]
        return render(
            request,
            "resources/provider_detail.html",
            {
                "provider": provider,
                "rows": [(r, selectors.remaining_of(r)) for r in resources],
                "can_keep": can(request.user, Can.KEEP_POOL),
            },
        )


class ProviderCreateView(LoginRequiredMixin, View):
    template = "resources/provider_form.html"

    def _form(self, request: HttpRequest) -> ProviderForm:
        if not can(request.user, Can.KEEP_POOL):
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        return ProviderForm(data, areas=selectors.area_choices_for_pool(actor=request.user))

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                provider = services.provider_create(actor=request.user, **data)
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("救助力量已登记。"))
                return redirect("resources:provider_detail", provider_id=provider.uuid)
        return render(request, self.template, {"form": form}, status=400)


class ProviderEditView(LoginRequiredMixin, View):
    template = "resources/provider_form.html"

    def get(self, request: HttpRequest, provider_id: str) -> HttpResponse:
        provider = selectors.provider_get_for_edit(actor=request.user, provider_id=provider_id)
        form = ProviderForm(
            initial=ProviderForm.initial_for(provider),
            areas=selectors.area_choices_for_pool(actor=request.user),
        )
        return render(request, self.template, {"form": form, "provider": provider})

    def post(self, request: HttpRequest, provider_id: str) -> HttpResponse:
        provider = selectors.provider_get_for_edit(actor=request.user, provider_id=provider_id)
        form = ProviderForm(request.POST, areas=selectors.area_choices_for_pool(actor=request.user))
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.provider_update(
                    actor=request.user,
                    provider=provider,
                    data=data,
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("救助力量信息已保存。"))
                return redirect("resources:provider_detail", provider_id=provider.uuid)
        context = {"form": form, "provider": provider}
        return render(request, self.template, context, status=400)
