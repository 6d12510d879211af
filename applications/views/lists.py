"""The district's responsibility list (责任清单) and its own calendar days, kept by its admin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from access.capabilities import Can, can
from applications import selectors, services, workdays
from applications.forms import CalendarDayForm, ResponsibilityForm
from applications.views._common import DomainError, form_errors, say_errors
from core.errors import StaleVersionError
from core.forms import add_service_errors


def _require_reader(request: HttpRequest) -> None:
    if not can(request.user, Can.VIEW_REGISTRY):
        raise PermissionDenied


def _require_keeper(request: HttpRequest) -> None:
    if not can(request.user, Can.KEEP_RESPONSIBILITY_LIST):
        raise PermissionDenied


class ResponsibilityListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        _require_reader(request)
        context = {
            "rows": selectors.responsibility_list(actor=request.user),
            "can_edit": can(request.user, Can.KEEP_RESPONSIBILITY_LIST),
        }
        return render(request, "applications/responsibility_list.html", context)


def _data(form: ResponsibilityForm) -> dict[str, Any]:
    return {n: form.cleaned_data[n] for n in services.lists.FIELDS}


class ResponsibilityCreateView(LoginRequiredMixin, View):
    template = "applications/responsibility_form.html"

    def _form(self, request: HttpRequest, data: Any = None) -> ResponsibilityForm:
        departments = selectors.department_choices(actor=request.user)
        return ResponsibilityForm(data, departments=departments)

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_keeper(request)
        return render(request, self.template, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        _require_keeper(request)
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                services.responsibility_create(
                    actor=request.user, category=form.cleaned_data["category"], data=_data(form)
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("责任清单已新增。"))
                return redirect("applications:responsibilities")
        return render(request, self.template, {"form": form}, status=400)


class ResponsibilityEditView(LoginRequiredMixin, View):
    template = "applications/responsibility_form.html"

    def _form(self, request: HttpRequest, row: Any, data: Any = None) -> ResponsibilityForm:
        departments = selectors.department_choices(actor=request.user)
        initial = {"version": row.version}
        return ResponsibilityForm(
            data, instance=row, departments=departments, editing=True, initial=initial
        )

    def get(self, request: HttpRequest, responsibility_id: str) -> HttpResponse:
        row = selectors.responsibility_get_for_edit(
            actor=request.user, responsibility_id=responsibility_id
        )
        return render(request, self.template, {"form": self._form(request, row), "row": row})

    def post(self, request: HttpRequest, responsibility_id: str) -> HttpResponse:
        row = selectors.responsibility_get_for_edit(
            actor=request.user, responsibility_id=responsibility_id
        )
        version = row.version
        form = self._form(request, row, request.POST)
        if form.is_valid():
            try:
                services.responsibility_update(
                    actor=request.user,
                    responsibility=row,
                    data=_data(form),
                    version=form.cleaned_data["version"] or version,
                )
            except StaleVersionError as error:
                form.add_error(None, error.message)
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("责任清单已保存。"))
                return redirect("applications:responsibilities")
        return render(request, self.template, {"form": form, "row": row}, status=400)


class CalendarView(LoginRequiredMixin, View):
    """The district's own days over the official calendar, and whether next year's official
    calendar is known yet (until it is, next year's due dates count Monday to Friday)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        _require_reader(request)
        year = timezone.localdate().year
        days = selectors.calendar_days(actor=request.user)
        entered = selectors.calendar_days_per_year(days=days, years=(year, year + 1))
        context = {
            "days": days[:200],
            "form": CalendarDayForm(),
            "can_edit": can(request.user, Can.KEEP_RESPONSIBILITY_LIST),
            "years": [
                (y, workdays.official_calendar_known(y), entered.get(y, 0))
                for y in (year, year + 1)
            ],
            "last_official": workdays.last_official_year(year - 1),
        }
        return render(request, "applications/calendar.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        _require_keeper(request)
        form = CalendarDayForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return redirect("applications:calendar")
        data = form.cleaned_data
        try:
            if request.POST.get("remove"):
                services.calendar_day_remove(actor=request.user, day=data["day"])
            else:
                services.calendar_day_set(
                    actor=request.user,
                    day=data["day"],
                    is_workday=data["is_workday"],
                    note=data["note"],
                )
        except DomainError as error:
            say_errors(request, error)
        else:
            messages.success(request, _("本区工作日调整已保存。"))
        return redirect("applications:calendar")
