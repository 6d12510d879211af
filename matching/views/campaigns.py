"""Campaign pages: goods to a target group in one action, and the shortfall it reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from access.capabilities import Can, can
from core.forms import add_service_errors
from households.selectors import area_list
from matching import selectors, services
from matching.forms import CampaignForm
from matching.views._common import DomainError
from resources.selectors import resource_list


class CampaignListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, Can.VIEW_NEEDS):
            raise PermissionDenied
        return render(
            request,
            "matching/campaign_list.html",
            {
                "campaigns": selectors.campaign_list(actor=request.user)[:100],
                "can_work": can(request.user, Can.WORK_NEEDS),
            },
        )


class CampaignCreateView(LoginRequiredMixin, View):
    template = "matching/campaign_form.html"

    def _form(self, request: HttpRequest) -> CampaignForm:
        if not can(request.user, Can.WORK_NEEDS):
            raise PermissionDenied
        goods = resource_list(actor=request.user, filters={"kind": "goods", "available": True})
        areas = area_list(actor=request.user).exclude(level="grid")
        data = request.POST if request.method == "POST" else None
        return CampaignForm(
            data, resources=goods, areas=areas, initial={"area": request.user.area_id}
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("g")}
            try:
                campaign = services.campaign_run(actor=request.user, groups=form.groups(), **data)
            except DomainError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("专项活动已生成发放清单。"))
                return redirect("matching:campaign", campaign_id=campaign.uuid)
        return render(request, self.template, {"form": form}, status=400)


class CampaignDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, campaign_id: str) -> HttpResponse:
        campaign = selectors.campaign_get(actor=request.user, campaign_id=campaign_id)
        referrals = selectors.referral_list(
            actor=request.user, filters={"campaign": str(campaign.uuid)}
        )[:500]
        return render(
            request,
            "matching/campaign_detail.html",
            {"campaign": campaign, "referrals": referrals},
        )
