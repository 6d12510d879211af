"""Pages of 政策找人: the leads and 应退尽退 flags to work, and the policies' rules.

Parse → access through a selector → one service → redirect, like the other apps.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from access.capabilities import Can, can
from core.errors import ApplicationError
from core.forms import add_service_errors
from outreach import selectors, services
from outreach.forms import ExitFlagResolveForm, LeadActForm, LeadDismissForm, PolicyRuleForm
from outreach.models import ExitFlag, Lead
from outreach.predicates import CATALOGUE
from outreach.rule_words import condition_label, describe

DomainError = (ValidationError, ApplicationError)
# A page shows this many rows; the filters narrow it.
ROWS = 50


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _filters(request: HttpRequest, states: list[str]) -> dict[str, Any]:
    state = request.GET.get("state") or states[0]
    filters: dict[str, Any] = {"state": [state if state in states else states[0]]}
    for name in ("policy", "area", "household"):
        if request.GET.get(name):
            filters[name] = request.GET[name]
    return filters


class LeadListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        filters = _filters(request, list(Lead.State.values))
        try:
            rows = list(selectors.lead_list(actor=request.user, filters=filters)[:ROWS])
        except ValidationError:
            rows = []
        context = {
            "rows": rows,
            "limit": ROWS,
            "state": filters["state"][0],
            "states": Lead.State.choices,
            "can_work": can(request.user, Can.WORK_NEEDS),
        }
        return render(request, "outreach/lead_list.html", context)


class LeadActView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, lead_id: str) -> HttpResponse:
        lead = selectors.lead_get_for_work(actor=request.user, lead_id=lead_id)
        form = LeadActForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请检查紧急程度和说明。"))
            return _back(request, "outreach:leads")
        try:
            lead = services.lead_act(actor=request.user, lead=lead, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, " ".join(_messages(error)))
            return _back(request, "outreach:leads")
        messages.success(request, _("已登记需求并转介到“%(policy)s”。") % {"policy": lead.policy})
        return redirect("matching:referral", lead.referral.uuid)


class LeadDismissView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, lead_id: str) -> HttpResponse:
        lead = selectors.lead_get_for_work(actor=request.user, lead_id=lead_id)
        form = LeadDismissForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写忽略原因。"))
            return _back(request, "outreach:leads")
        try:
            services.lead_dismiss(actor=request.user, lead=lead, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, " ".join(_messages(error)))
        else:
            messages.success(request, _("线索已忽略；情况变化后会重新出现。"))
        return _back(request, "outreach:leads")


def _messages(error: ValidationError | ApplicationError) -> list[str]:
    if isinstance(error, ApplicationError):
        return [error.message]
    return list(error.messages)


# ---- 应退尽退 -------------------------------------------------------------------------------


class ExitFlagListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        filters = _filters(request, list(ExitFlag.State.values))
        filters.pop("policy", None)
        try:
            rows = list(selectors.exit_flag_list(actor=request.user, filters=filters)[:ROWS])
        except ValidationError:
            rows = []
        context = {
            "rows": rows,
            "limit": ROWS,
            "state": filters["state"][0],
            "states": ExitFlag.State.choices,
            "form": ExitFlagResolveForm(),
            "can_work": can(request.user, Can.EDIT_REGISTRY),
        }
        return render(request, "outreach/flag_list.html", context)


class ExitFlagResolveView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, flag_id: str) -> HttpResponse:
        flag = selectors.exit_flag_get_for_work(actor=request.user, flag_id=flag_id)
        form = ExitFlagResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写处理说明。"))
            return redirect("outreach:flags")
        try:
            note = form.cleaned_data["note"]
            services.exit_flag_resolve(actor=request.user, flag=flag, note=note)
        except DomainError as error:
            messages.error(request, " ".join(_messages(error)))
        else:
            messages.success(request, _("已记录处理说明；情况再变化时会重新提示。"))
        return redirect("outreach:flags")


# ---- policies and their rules --------------------------------------------------------------


class PolicyListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        policies = list(selectors.policy_list(actor=request.user))
        if not policies and not can(request.user, Can.VIEW_REGISTRY):
            raise PermissionDenied
        rules = selectors.rules_by_policy(actor=request.user, policies=policies)
        for policy in policies:
            policy.rules = rules.get(policy.pk, [])
            for rule in policy.rules:
                rule.kind, rule.words = condition_label(rule.code), describe(rule.code, rule.params)
            policy.keepable = selectors.policy_keepable(actor=request.user, policy=policy)
        kinds = [(code, c.label) for code, c in CATALOGUE.items()]
        return render(request, "outreach/policy_list.html", {"policies": policies, "kinds": kinds})


def _code(raw: str) -> str:
    if raw not in CATALOGUE:
        raise Http404
    return raw


class PolicyRuleCreateView(LoginRequiredMixin, View):
    template = "outreach/rule_form.html"

    def get(self, request: HttpRequest, policy_id: str) -> HttpResponse:
        policy = selectors.policy_get_for_edit(actor=request.user, policy_id=policy_id)
        code = _code(request.GET.get("code", ""))
        form = PolicyRuleForm(code=code, initial=PolicyRuleForm.initial_new(code))
        return render(request, self.template, {"form": form, "policy": policy})

    def post(self, request: HttpRequest, policy_id: str) -> HttpResponse:
        policy = selectors.policy_get_for_edit(actor=request.user, policy_id=policy_id)
        form = PolicyRuleForm(request.POST, code=_code(request.GET.get("code", "")))
        if form.is_valid():
            try:
                services.policy_rule_create(
                    actor=request.user,
                    policy=policy,
                    code=form.code,
                    params=form.params(),
                    active=form.cleaned_data["active"],
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("条件已新增，今晚的筛查将按新条件找人。"))
                return redirect("outreach:policies")
        context = {"form": form, "policy": policy}
        return render(request, self.template, context, status=400)


class PolicyRuleEditView(LoginRequiredMixin, View):
    template = "outreach/rule_form.html"

    def get(self, request: HttpRequest, rule_id: str) -> HttpResponse:
        rule = selectors.policy_rule_get_for_edit(actor=request.user, rule_id=rule_id)
        form = PolicyRuleForm(code=_code(rule.code), initial=PolicyRuleForm.initial_for(rule))
        return render(request, self.template, {"form": form, "policy": rule.policy, "rule": rule})

    def post(self, request: HttpRequest, rule_id: str) -> HttpResponse:
        rule = selectors.policy_rule_get_for_edit(actor=request.user, rule_id=rule_id)
        form = PolicyRuleForm(request.POST, code=_code(rule.code))
        if form.is_valid():
            try:
                services.policy_rule_update(
                    actor=request.user,
                    rule=rule,
                    data={"params": form.params(), "active": form.cleaned_data["active"]},
                    expected_version=form.cleaned_data["version"],
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("条件已保存，今晚的筛查将按新条件找人。"))
                return redirect("outreach:policies")
        context = {"form": form, "policy": rule.policy, "rule": rule}
        return render(request, self.template, context, status=400)
