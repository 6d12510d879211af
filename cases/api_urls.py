"""Case-work API routes, included under /api/v1/ with the namespace "api-cases"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import path
from rest_framework.views import APIView

from cases import api


def _one_url(name: str, *operations: type[APIView]) -> Callable[..., Any]:
    """Serve one-operation views that share a URL (list + create, get + update) as one view.

    They must not share a handler or setting, or one would silently shadow the other.
    """
    seen: set[str] = set()
    for operation in operations:
        own = {attr for attr in vars(operation) if not attr.startswith("__")}
        if own & seen:
            raise ImproperlyConfigured(f"{name}: {sorted(own & seen)} defined twice")
        seen |= own
    return type(name, operations, {"__doc__": operations[0].__doc__}).as_view()


urlpatterns = [
    path("visits/", _one_url("VisitsApi", api.VisitListApi, api.VisitLogApi), name="visit-list"),
    path("visits/<uuid:visit_id>/", api.VisitDetailApi.as_view(), name="visit-detail"),
    path("followups/", api.FollowUpListApi.as_view(), name="followup-list"),
    path("followups/<uuid:followup_id>/", api.FollowUpDetailApi.as_view(), name="followup-detail"),
    path(
        "followups/<uuid:followup_id>/reassign/",
        api.FollowUpReassignApi.as_view(),
        name="followup-reassign",
    ),
    path(
        "tier-rules/",
        _one_url("TierRulesApi", api.TierRuleListApi, api.TierRuleCreateApi),
        name="tier-rule-list",
    ),
    path(
        "tier-rules/<uuid:rule_id>/",
        _one_url("TierRuleApi", api.TierRuleDetailApi, api.TierRuleUpdateApi),
        name="tier-rule-detail",
    ),
]
