"""Pages of 救助审批: the applications awaiting a decision, and the decisions themselves.

Parse → access through a selector → one service → redirect, like households/views.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from access.capabilities import Can, can
from core.errors import ApplicationError
from core.keyset import keyset_page
from households import selectors, services
from households.forms import BulkDecisionForm, DecisionForm, PendingFilterForm
from households.models import Area, Enrolment

DomainError = (ValidationError, ApplicationError)
PAGE_SIZE = 25
# What the list's links and a decision's return keep of the page: its filters and cursor.
_KEPT = ("street", "community", "category", "waited", "after", "before")


class EnrolmentPendingView(LoginRequiredMixin, View):
    """Applications in scope, oldest first, a keyset page at a time, with their total."""

    def get(self, request: HttpRequest) -> HttpResponse:
        areas = selectors.pending_filter_areas(actor=request.user)
        form = PendingFilterForm(request.GET or None, areas=areas)
        filters = form.filters()
        try:
            qs = selectors.enrolment_pending_list(actor=request.user, filters=filters)
        except ValidationError:
            qs = selectors.enrolment_pending_list(actor=request.user).none()
        page = keyset_page(
            qs,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            size=PAGE_SIZE,
            oldest_first=True,
        )
        _label_cards(page.items)
        context = {
            "form": form,
            "page": page,
            "query": _query(filters),
            "here": _query(request.GET),
            "filtered": bool(filters),
            "can_decide": can(request.user, Can.DECIDE_ENROLMENT),
        }
        return render(request, "households/enrolment_pending.html", context)


def _label_cards(enrolments: list[Enrolment]) -> None:
    """Each card's derived facts: community, per-capita income and days waited."""
    today = timezone.localdate()
    for e in enrolments:
        area = e.household.area
        e.community = area.parent.name if area.level == Area.Level.GRID and area.parent_id else ""
        e.area_name = area.name
        e.per_capita = selectors.per_capita(e.household_income, e.household_size)
        e.waited = (today - timezone.localdate(e.created_at)).days


def _query(params: Any) -> str:
    """The kept parameters (filters, cursor) as a query string, never anything else."""
    kept = QueryDict(mutable=True)
    for key in _KEPT:
        value = params.get(key)
        if value:
            kept[key] = str(value)
    return kept.urlencode()


def _back_to_list(request: HttpRequest) -> str:
    query = _query(QueryDict(request.POST.get("query", "")))
    url = reverse("households:enrolments_pending")
    return f"{url}?{query}" if query else url


class EnrolmentDecideView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, enrolment_id: str) -> HttpResponse:
        enrolment = selectors.enrolment_get_for_decision(
            actor=request.user, enrolment_id=enrolment_id
        )
        form = DecisionForm(request.POST)
        if not form.is_valid():
            for error in form.errors.values():
                messages.error(request, " ".join(error))
            return redirect(_back(request, enrolment))
        decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
        try:
            services.enrolment_transition(
                actor=request.user, enrolment=enrolment, action=decision, reason=reason
            )
        except DomainError as error:
            messages.error(request, _message(error))
        else:
            messages.success(request, decision_message(decision, [enrolment]))
        return redirect(_back(request, enrolment))


class EnrolmentBulkDecideView(LoginRequiredMixin, View):
    """The ticked applications of a page, decided at once with one reason: all or none."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        enrolments = selectors.enrolments_get_for_decision(
            actor=request.user, enrolment_ids=request.POST.getlist("enrolment")
        )
        form = BulkDecisionForm(request.POST)
        if not form.is_valid():
            for error in form.errors.values():
                messages.error(request, " ".join(error))
            return redirect(_back_to_list(request))
        decision = form.cleaned_data["decision"]
        try:
            services.enrolment_decide_bulk(
                actor=request.user,
                enrolments=enrolments,
                decision=decision,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, _message(error))
        else:
            messages.success(request, decision_message(decision, enrolments))
        return redirect(_back_to_list(request))


def decision_message(decision: str, enrolments: list[Enrolment]) -> str:
    """What was decided, naming the households: "已批准：王建国户（…）的低保申请。"."""
    named = "；".join(
        _("%(household)s的%(category)s申请")
        % {"household": services.household_label(e.household), "category": e.category.name}
        for e in enrolments[:10]
    )
    more = len(enrolments) - 10
    if more > 0:
        named += ngettext("，另 %(n)s 份", "，另 %(n)s 份", more) % {"n": more}
    if decision == "approve":
        return _("已批准：%(named)s。") % {"named": named}
    return _("不予批准：%(named)s。") % {"named": named}


def _back(request: HttpRequest, enrolment: Enrolment) -> str:
    if request.POST.get("next") == "pending":
        return _back_to_list(request)
    return reverse("households:detail", kwargs={"household_id": enrolment.household.uuid})


def _message(error: Any) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)
