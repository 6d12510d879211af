"""公示: the street puts up a community's notice, prints it, and records objections; the
printed decisions (approval, and the written refusal) come from here too."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from access.capabilities import Can, can
from applications import printing, selectors, services
from applications.forms import NoticeForm
from applications.views._common import DomainError
from core.forms import add_service_errors
from core.pdf import pdf_response
from households.selectors import household_get


class NoticeListView(LoginRequiredMixin, View):
    """Notices up today, and those taken down (their days are over)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        notices = list(selectors.notice_list(actor=request.user)[:100])
        context = {
            "up": [n for n in notices if n.is_up_on(today)],
            "down": [n for n in notices if n.end < today],
            "communities": selectors.community_choices(actor=request.user),
            "may_publish": can(request.user, Can.RUN_STREET_STEPS),
        }
        return render(request, "applications/notice_list.html", context)


class NoticeCreateView(LoginRequiredMixin, View):
    template = "applications/notice_form.html"

    def _community(self, request: HttpRequest, code: str) -> Any:
        if not can(request.user, Can.RUN_STREET_STEPS):
            raise PermissionDenied
        community = selectors.community_choices(actor=request.user).filter(code=code).first()
        if community is None:
            raise Http404
        return community

    def _form(self, request: HttpRequest, community: Any, data: Any = None) -> NoticeForm:
        ready = selectors.publishable(actor=request.user, community=community)
        hotline = getattr(settings, "HELP_HOTLINE", "")
        return NoticeForm(data, ready=ready, initial={"hotline": hotline})

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        community = self._community(request, code)
        context = {"community": community, "form": self._form(request, community)}
        return render(request, self.template, context)

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        community = self._community(request, code)
        form = self._form(request, community, request.POST)
        if form.is_valid():
            try:
                notice = services.notice_publish(
                    actor=request.user,
                    community=community,
                    applications=list(form.cleaned_data["applications"]),
                    hotline=form.cleaned_data["hotline"],
                )
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("公示已发布，请打印张贴。"))
                return redirect("applications:notice", notice_id=notice.uuid)
        context = {"community": community, "form": form}
        return render(request, self.template, context, status=400)


class NoticeView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, notice_id: str) -> HttpResponse:
        notice = selectors.notice_get(actor=request.user, notice_id=notice_id)
        context = {
            "notice": notice,
            "rows": printing.notice_rows(notice),
            "is_up": notice.is_up_on(timezone.localdate()),
        }
        return render(request, "applications/notice_detail.html", context)


class NoticePdfView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, notice_id: str) -> HttpResponse:
        notice = selectors.notice_get(actor=request.user, notice_id=notice_id)
        context = {"notice": notice, "rows": printing.notice_rows(notice)}
        return pdf_response(
            request,
            template="applications/notice_pdf.html",
            context=context,
            filename=f"公示-{notice.community.name}-{notice.start:%Y%m%d}.pdf",
            back_url=reverse("applications:notice", kwargs={"notice_id": notice.uuid}),
        )


class DecisionPdfView(LoginRequiredMixin, View):
    """The written decision: an approval with its start month, or a refusal with reasons."""

    def get(self, request: HttpRequest, application_id: str) -> HttpResponse:
        application = selectors.application_get(actor=request.user, application_id=application_id)
        if application.status not in ("approved", "rejected"):
            raise Http404
        context = {"application": application, "name": application.applicant.name}
        return pdf_response(
            request,
            template="applications/decision_pdf.html",
            context=context,
            filename=f"决定书-{application.reference}.pdf",
            back_url=reverse("applications:detail", kwargs={"application_id": application.uuid}),
        )


class HouseholdFileView(LoginRequiredMixin, View):
    """The household's 档案 of applications as one PDF; each download is access-logged."""

    def get(self, request: HttpRequest, household_id: str) -> HttpResponse:
        household = household_get(actor=request.user, household_id=household_id)
        services.household_file_record(actor=request.user, household=household, request=request)
        filed, files = printing.household_file(household)
        context = {
            "household": household,
            "filed": filed,
            "printed_by": request.user,
            "printed_at": timezone.now(),
            "area_path": household.area.name,
        }
        return pdf_response(
            request,
            template="applications/household_file_pdf.html",
            context=context,
            files=files,
            filename=f"申请档案-{household.address}.pdf",
            back_url=reverse("households:detail", kwargs={"household_id": household.uuid}),
        )
