"""Matching API routes, included under /api/v1/ with the namespace "api-matching"."""

from __future__ import annotations

from django.urls import path

from core.api import one_url
from matching import api

_REFERRAL_STEPS = {
    "accept": api.ReferralAcceptApi,
    "decline": api.ReferralDeclineApi,
    "deliver": api.ReferralDeliverApi,
    "confirm": api.ReferralConfirmApi,
    "close": api.ReferralCloseApi,
    "cancel": api.ReferralCancelApi,
}

urlpatterns = [
    path("needs/", one_url("NeedsApi", api.NeedListApi, api.NeedCreateApi), name="need-list"),
    path("needs/match/", api.MatchRunApi.as_view(), name="need-match"),
    path("needs/<uuid:need_id>/", api.NeedDetailApi.as_view(), name="need-detail"),
    path(
        "needs/<uuid:need_id>/suggestions/",
        api.NeedSuggestionsApi.as_view(),
        name="need-suggestions",
    ),
    path("needs/<uuid:need_id>/close/", api.NeedCloseApi.as_view(), name="need-close"),
    path("needs/<uuid:need_id>/verify/", api.NeedVerifyApi.as_view(), name="need-verify"),
    path("needs/<uuid:need_id>/discard/", api.NeedDiscardApi.as_view(), name="need-discard"),
    path(
        "referrals/",
        one_url("ReferralsApi", api.ReferralListApi, api.ReferralCreateApi),
        name="referral-list",
    ),
    path("referrals/<uuid:referral_id>/", api.ReferralDetailApi.as_view(), name="referral-detail"),
    *[
        path(f"referrals/<uuid:referral_id>/{step}/", view.as_view(), name=f"referral-{step}")
        for step, view in _REFERRAL_STEPS.items()
    ],
    path(
        "campaigns/",
        one_url("CampaignsApi", api.CampaignListApi, api.CampaignCreateApi),
        name="campaign-list",
    ),
    path("campaigns/<uuid:campaign_id>/", api.CampaignDetailApi.as_view(), name="campaign-detail"),
]
