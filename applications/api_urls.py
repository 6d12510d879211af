"""API routes of 一门受理, under /api/v1/ with the namespace "api-applications"."""

from __future__ import annotations

from django.urls import path

from applications import api
from core.api import one_url

urlpatterns = [
    path(
        "applications/",
        one_url("ApplicationsApi", api.ApplicationListApi, api.ApplicationTakeApi),
        name="application-list",
    ),
    path(
        "applications/<uuid:application_id>/",
        api.ApplicationDetailApi.as_view(),
        name="application-detail",
    ),
    path(
        "applications/<uuid:application_id>/accept/",
        api.ApplicationAcceptApi.as_view(),
        name="application-accept",
    ),
    path("responsibilities/", api.ResponsibilityListApi.as_view(), name="responsibility-list"),
    path("notices/", api.NoticeListApi.as_view(), name="notice-list"),
    path("application-lookup/", api.ApplicationLookupApi.as_view(), name="application-lookup"),
]
