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
    path(
        "applications/<uuid:application_id>/request-more/",
        api.ApplicationRequestMoreApi.as_view(),
        name="application-request-more",
    ),
    path(
        "applications/<uuid:application_id>/investigate/",
        api.ApplicationInvestigateApi.as_view(),
        name="application-investigate",
    ),
    path(
        "applications/<uuid:application_id>/objection/",
        api.ApplicationObjectionApi.as_view(),
        name="application-objection",
    ),
    path(
        "applications/<uuid:application_id>/approve/",
        api.ApplicationApproveApi.as_view(),
        name="application-approve",
    ),
    path(
        "applications/<uuid:application_id>/reject/",
        api.ApplicationRejectApi.as_view(),
        name="application-reject",
    ),
    path(
        "applications/<uuid:application_id>/notice-sent/",
        api.ApplicationNoticeSentApi.as_view(),
        name="application-notice-sent",
    ),
    path("responsibilities/", api.ResponsibilityListApi.as_view(), name="responsibility-list"),
    path(
        "notices/",
        one_url("NoticesApi", api.NoticeListApi, api.NoticePublishApi),
        name="notice-list",
    ),
    path("application-lookup/", api.ApplicationLookupApi.as_view(), name="application-lookup"),
]
