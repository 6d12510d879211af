"""政策找人 API routes, under /api/v1/ with the namespace "api-outreach"."""

from __future__ import annotations

from django.urls import path

from core.api import one_url
from outreach import api

urlpatterns = [
    path(
        "policy-rules/",
        one_url("PolicyRulesApi", api.PolicyRuleListApi, api.PolicyRuleCreateApi),
        name="policy-rule-list",
    ),
    path(
        "policy-rules/<uuid:rule_id>/",
        one_url("PolicyRuleApi", api.PolicyRuleDetailApi, api.PolicyRuleUpdateApi),
        name="policy-rule-detail",
    ),
    path("leads/", api.LeadListApi.as_view(), name="lead-list"),
    path("leads/<uuid:lead_id>/", api.LeadDetailApi.as_view(), name="lead-detail"),
    path("leads/<uuid:lead_id>/act/", api.LeadActApi.as_view(), name="lead-act"),
    path("leads/<uuid:lead_id>/dismiss/", api.LeadDismissApi.as_view(), name="lead-dismiss"),
    path("exit-flags/", api.ExitFlagListApi.as_view(), name="exit-flag-list"),
    path(
        "exit-flags/<uuid:flag_id>/resolve/",
        api.ExitFlagResolveApi.as_view(),
        name="exit-flag-resolve",
    ),
]
