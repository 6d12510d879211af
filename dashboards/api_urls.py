"""Dashboard API routes, included under /api/v1/ with the namespace "api-dashboard"."""

from __future__ import annotations

from django.urls import path

from dashboards import api

urlpatterns = [
    path("dashboard/caseload/", api.CaseloadApi.as_view(), name="caseload"),
    path("dashboard/followups/", api.FollowUpsApi.as_view(), name="followups"),
    path("dashboard/visits/", api.VisitsApi.as_view(), name="visits"),
    path("dashboard/alerts/", api.AlertsApi.as_view(), name="alerts"),
    path("dashboard/services/", api.ServicesApi.as_view(), name="services"),
    path("dashboard/needs/", api.NeedsApi.as_view(), name="needs"),
    path("dashboard/referrals/", api.ReferralsApi.as_view(), name="referrals"),
    path("dashboard/resources/", api.ResourcesApi.as_view(), name="resources"),
]
