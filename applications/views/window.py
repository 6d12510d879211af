"""The window and the street: take an application on a phone, follow it on its page with its
clock, add documents, investigate, and the steps that follow."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from access.capabilities import Can, can
from applications import clock, selectors, services, workdays
from applications.forms import (
    ApproveForm,
    DocumentForm,
    InvestigationForm,
    MoveForm,
    RejectForm,
    TakeForm,
    TextForm,
)
from applications.models import Application
from applications.views._common import DomainError, form_errors, say_errors
from core.forms import add_service_errors
from households.models import Category
from households.selectors import household_get_for_edit


class ApplicationListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status") or ""
        qs = selectors.application_list(actor=request.user, status=status or None)
        context = {"applications": qs[:100], "statuses": Application.Status.choices}
        return render(request, "applications/application_list.html", {**context, "status": status})


class ApplicationTakeView(LoginRequiredMixin, View):
    """受理 at the window, on a visit or from a lead: one form, made for a phone."""

    template = "applications/application_take.html"

    def _form(self, request: HttpRequest, household: Any, data: Any = None) -> TakeForm:
        return TakeForm(
            data,
            request.FILES or None,
            members=selectors.applicant_choices(household=household),
            categories=Category.objects.all(),
            initial={"channel": "window", "document_kind": "id_card"},
        )

    def get(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = self._household(request, household_id)
        context = {"form": self._form(request, household), "household": household}
        return render(request, self.template, context)

    def post(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = self._household(request, household_id)
        form = self._form(request, household, request.POST)
        if form.is_valid():
            try:
                application = _take(request, household, form.cleaned_data)
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("已受理，受理编号 %(r)s。") % {"r": application.reference}
                )
                return redirect("applications:detail", application_id=application.uuid)
        context = {"form": form, "household": household}
        return render(request, self.template, context, status=400)

    def _household(self, request: HttpRequest, household_id: str) -> Any:
        household = household_get_for_edit(actor=request.user, household_id=household_id)
        if not can(request.user, Can.TAKE_APPLICATION):
            raise PermissionDenied
        return household


def _take(request: HttpRequest, household: Any, data: dict[str, Any]) -> Application:
    """The application and the document received with it: both, or neither."""
    with transaction.atomic():
        application = services.application_take(
            actor=request.user,
            household=household,
            applicant=data["applicant"],
            category=data["category"],
            channel=data["channel"],
            phone=data["phone"],
            consent_given=data["consent_given"],
            reason=data["reason"],
        )
        if data.get("document"):
            services.document_add(
                actor=request.user,
                application=application,
                upload=data["document"],
                kind=data["document_kind"] or "other",
            )
    return application


class ApplicationDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, application_id: str) -> HttpResponse:
        application = selectors.application_get(actor=request.user, application_id=application_id)
        return render(
            request, "applications/application_detail.html", _detail(request, application)
        )


def _detail(request: HttpRequest, application: Application) -> dict[str, Any]:
    today = timezone.localdate()
    overrides = selectors.calendar_overrides(district=application.area_code[:6])
    user = request.user
    department = selectors.is_department_user(user, application)
    return {
        "application": application,
        "steps": clock.clock(application, today, overrides),
        "provisional": not workdays.official_calendar_known(today.year + 1),
        "documents": selectors.application_documents(application=application),
        "investigations": selectors.application_investigations(application=application),
        "objections": application.objections.select_related("recorded_by"),
        "is_department": department,
        "may_handle": selectors.may_handle(user, application),
        "may_take": can(user, Can.TAKE_APPLICATION) and not department,
        "may_investigate": can(user, Can.INVESTIGATE) and not department,
        "may_street": can(user, Can.RUN_STREET_STEPS),
        "needs_notice": services.needs_notice(application, today),
        "document_form": DocumentForm(),
        "text_form": TextForm(),
        "approve_form": ApproveForm(),
        "reject_form": RejectForm(),
        "move_form": MoveForm(),
    }


class DocumentAddView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, application_id: str) -> HttpResponse:
        application = selectors.application_get_for(
            actor=request.user,
            application_id=application_id,
            may=lambda actor, _a: can(actor, Can.TAKE_APPLICATION),
        )
        form = DocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            form_errors(request, form)
        else:
            try:
                services.document_add(
                    actor=request.user,
                    application=application,
                    upload=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                )
            except DomainError as error:
                say_errors(request, error)
            else:
                messages.success(request, _("材料已保存。"))
        return redirect("applications:detail", application_id=application.uuid)


class DocumentView(LoginRequiredMixin, View):
    """A document's bytes, after the scope check; every view is logged, nothing is cached."""

    def get(self, request: HttpRequest, document_id: str) -> HttpResponse:
        document = selectors.document_get(actor=request.user, document_id=document_id)
        services.document_view_record(actor=request.user, document=document, request=request)
        response = FileResponse(document.file.open("rb"), content_type=document.content_type)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class InvestigationView(LoginRequiredMixin, View):
    """入户调查 on the phone: two investigators or more, the household's means, a signature."""

    template = "applications/investigation_form.html"

    def _get(self, request: HttpRequest, application_id: str) -> Application:
        return selectors.application_get_for(
            actor=request.user,
            application_id=application_id,
            may=lambda actor, _a: can(actor, Can.INVESTIGATE),
        )

    def _form(self, request: HttpRequest, application: Application, data: Any = None) -> Any:
        people = selectors.investigator_choices(actor=request.user, household=application.household)
        initial = {
            "visited_on": timezone.localdate(),
            "investigators": [request.user.pk],
            "household_size": application.household.members.filter(status="active").count(),
        }
        return InvestigationForm(data, investigators=people, initial=initial)

    def get(self, request: HttpRequest, application_id: str) -> HttpResponse:
        application = self._get(request, application_id)
        context = {"application": application, "form": self._form(request, application)}
        return render(request, self.template, context)

    def post(self, request: HttpRequest, application_id: str) -> HttpResponse:
        application = self._get(request, application_id)
        form = self._form(request, application, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            people = list(data.pop("investigators"))
            try:
                services.investigation_record(
                    actor=request.user, application=application, investigators=people, data=data
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("入户调查已记录。"))
                return redirect("applications:detail", application_id=application.uuid)
        context = {"application": application, "form": form}
        return render(request, self.template, context, status=400)


class _StepView(LoginRequiredMixin, View):
    """Fetch the application for the step (404 out of scope, 403 not the actor's step), run
    the step's service, and return to the application's page."""

    http_method_names = ["post"]
    form_class: Any = None
    done = ""

    def may(self, actor: Any, application: Application) -> bool:
        return selectors.may_handle(actor, application)

    def run(self, request: HttpRequest, application: Application, data: dict) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, application_id: str) -> HttpResponse:
        application = selectors.application_get_for(
            actor=request.user, application_id=application_id, may=self.may
        )
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None and not form.is_valid():
            form_errors(request, form)
            return redirect(_back(request, application))
        try:
            self.run(request, application, form.cleaned_data if form else {})
        except DomainError as error:
            say_errors(request, error)
        else:
            messages.success(request, self.done)
        return redirect(_back(request, application))


def _back(request: HttpRequest, application: Application) -> str:
    if request.POST.get("next") == "portal":
        return reverse("applications:portal")
    return reverse("applications:detail", kwargs={"application_id": application.uuid})


class AcceptView(_StepView):
    done = _("已受理。")

    def run(self, request: HttpRequest, application: Application, data: dict) -> None:
        services.application_accept(actor=request.user, application=application)


class RequestMoreView(_StepView):
    form_class = TextForm
    done = _("已通知补充材料。")

    def run(self, request: HttpRequest, application: Application, data: dict) -> None:
        services.application_request_more(
            actor=request.user, application=application, text=data["text"]
        )


class ObjectionView(_StepView):
    form_class = TextForm
    done = _("异议已记录，申请退回调查核实。")

    def may(self, actor: Any, application: Application) -> bool:
        return can(actor, Can.RUN_STREET_STEPS)

    def run(self, request: HttpRequest, application: Application, data: dict) -> None:
        services.objection_record(actor=request.user, application=application, text=data["text"])


class ApproveView(_StepView):
    form_class = ApproveForm
    done = _("已批准，救助认定已生效。")

    def run(self, request: HttpRequest, application: Application, data: dict) -> None:
        services.application_approve(
            actor=request.user,
            application=application,
            monthly_amount=data["monthly_amount"],
            start_month=data["start_month"],
            reason=data["reason"],
        )


class RejectView(_StepView):
    form_class = RejectForm
    done = _("已作出不予批准决定，请在期限内书面通知申请人。")

    def run(self, request: HttpRequest, application: Application, data: dict) -> None:
        services.application_reject(
            actor=request.user, application=application, reason=data["reason"]
        )


class NoticeSentView(_StepView):
    done = _("已记录书面通知。")

    def may(self, actor: Any, application: Application) -> bool:
        return selectors.may_handle(actor, application) or can(actor, Can.RUN_STREET_STEPS)

    def run(self, request: HttpRequest, application: Application, data: dict) -> None:
        services.rejection_notice_sent(actor=request.user, application=application)


class MoveView(LoginRequiredMixin, View):
    """A refused 低保 application on to 低边 or 支出型, without new paperwork."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, application_id: str) -> HttpResponse:
        application = selectors.application_get_for(
            actor=request.user,
            application_id=application_id,
            may=lambda actor, _a: can(actor, Can.TAKE_APPLICATION),
        )
        form = MoveForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return redirect(_back(request, application))
        try:
            moved = services.application_move(
                actor=request.user, application=application, category=form.cleaned_data["category"]
            )
        except DomainError as error:
            say_errors(request, error)
            return redirect(_back(request, application))
        messages.success(request, _("已转为%(c)s申请。") % {"c": moved.category.name})
        return redirect("applications:detail", application_id=moved.uuid)
