"""Pages of standards (the district admin keeps them) and of due reviews (复核到期).

Parse → access through a selector → one service → redirect, like households/views.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from access.capabilities import Can, can
from cases.selectors import visit_get
from core.errors import ApplicationError, StaleVersionError
from core.forms import add_service_errors
from reviews import selectors, services
from reviews.forms import ReviewFilterForm, ReviewForm, StandardForm

DomainError = (ValidationError, ApplicationError)
# The due list shows the earliest this many; a community filter narrows it.
ROWS = 50


def _require_reader(request: HttpRequest) -> None:
    if not can(request.user, Can.VIEW_REGISTRY):
        raise PermissionDenied


class StandardListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        _require_reader(request)
        today = timezone.localdate()
        standards = list(selectors.standard_list(actor=request.user))
        in_force = next((s for s in standards if s.effective_date <= today), None)
        context = {
            "standards": standards,
            "in_force": in_force,
            "can_edit": can(request.user, Can.EDIT_STANDARDS),
        }
        return render(request, "reviews/standard_list.html", context)


class StandardCreateView(LoginRequiredMixin, View):
    template = "reviews/standard_form.html"

    def _check(self, request: HttpRequest) -> None:
        if not can(request.user, Can.EDIT_STANDARDS):
            raise PermissionDenied

    def get(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        latest = selectors.standard_list(actor=request.user).first()
        initial = {n: getattr(latest, n) for n in services.STANDARD_FIELDS} if latest else {}
        initial.pop("effective_date", None)
        return render(request, self.template, {"form": StandardForm(initial=initial)})

    def post(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        form = StandardForm(request.POST)
        if form.is_valid():
            data = {n: form.cleaned_data[n] for n in services.STANDARD_FIELDS}
            try:
                services.standard_create(actor=request.user, data=data)
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("救助标准已新增，次日起的复核日期按新周期计算。"))
                return redirect("reviews:standards")
        return render(request, self.template, {"form": form}, status=400)


class StandardEditView(LoginRequiredMixin, View):
    template = "reviews/standard_form.html"

    def get(self, request: HttpRequest, standard_id: str) -> HttpResponse:
        standard = selectors.standard_get_for_edit(actor=request.user, standard_id=standard_id)
        form = StandardForm(instance=standard)
        return render(request, self.template, {"form": form, "standard": standard})

    def post(self, request: HttpRequest, standard_id: str) -> HttpResponse:
        standard = selectors.standard_get_for_edit(actor=request.user, standard_id=standard_id)
        form = StandardForm(request.POST)
        context = {"form": form, "standard": standard}
        if form.is_valid():
            data = {n: form.cleaned_data[n] for n in services.STANDARD_FIELDS}
            try:
                services.standard_update(
                    actor=request.user,
                    standard=standard,
                    data=data,
                    version=form.cleaned_data["version"],
                )
            except StaleVersionError as error:
                form.add_error(None, error.message)
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("救助标准已保存。"))
                return redirect("reviews:standards")
        return render(request, self.template, context, status=400)


class ReviewDueView(LoginRequiredMixin, View):
    """Due and overdue reviews in scope, counted by community, then the rows themselves."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_reader(request)
        today = timezone.localdate()
        communities = selectors.community_choices(actor=request.user)
        form = ReviewFilterForm(request.GET or None, communities=communities)
        filters = form.filters()
        rows = list(
            selectors.review_due_list(actor=request.user, today=today, filters=filters)[:200]
        )
        for row in rows:
            row.days_overdue = (today - row.review_due).days
        context = {
            "form": form,
            "groups": selectors.reviews_by_community(actor=request.user, today=today),
            "rows": rows,
            "today": today,
            "can_record": can(request.user, Can.RECORD_REVIEW),
            "limit": ROWS,
        }
        return render(request, "reviews/due_list.html", context)


class ReviewRecordView(LoginRequiredMixin, View):
    """One review of one enrolment; from a visit's page (`?visit=`) the visit is its record."""

    template = "reviews/review_form.html"

    def _context(self, request: HttpRequest, enrolment_id: str) -> dict[str, Any]:
        enrolment = selectors.enrolment_get_for_review(
            actor=request.user, enrolment_id=enrolment_id
        )
        visit = None
        visit_id = request.GET.get("visit") or ""
        if visit_id:
            visit = visit_get(actor=request.user, visit_id=visit_id)
        today = timezone.localdate()
        return {
            "enrolment": enrolment,
            "visit": visit,
            "line": selectors.household_income_line(household=enrolment.household, day=today),
            "history": list(selectors.enrolment_reviews(enrolment=enrolment)[:10]),
        }

    def get(self, request: HttpRequest, enrolment_id: str) -> HttpResponse:
        context = self._context(request, enrolment_id)
        enrolment = context["enrolment"]
        context["form"] = ReviewForm(initial={"version": enrolment.version})
        return render(request, self.template, context)

    def post(self, request: HttpRequest, enrolment_id: str) -> HttpResponse:
        context = self._context(request, enrolment_id)
        enrolment = context["enrolment"]
        form = ReviewForm(request.POST)
        context["form"] = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.enrolment_review(
                    actor=request.user,
                    enrolment=enrolment,
                    outcome=data["outcome"],
                    reason=data["reason"],
                    amount=data["amount"],
                    visit=context["visit"],
                    version=data["version"],
                )
            except StaleVersionError:
                messages.info(request, _("这项救助已有新的复核或修改，本次提交未重复保存。"))
                return redirect(_after(enrolment, context["visit"]))
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("复核已记录。"))
                return redirect(_after(enrolment, context["visit"]))
        return render(request, self.template, context, status=400)


def _after(enrolment: Any, visit: Any) -> str:
    if visit is not None:
        return reverse("cases:visit_detail", kwargs={"visit_id": visit.uuid})
    return reverse("households:detail", kwargs={"household_id": enrolment.household.uuid})
