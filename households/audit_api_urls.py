"""Audit API routes, included under /api/v1/ with the namespace "api-audit"."""

from __future__ import annotations

from django.urls import path

from households import access_log_api as api

urlpatterns = [
    path("access-log/", api.AccessLogListApi.as_view(), name="access-log-list"),
    path("access-log/search/", api.AccessLogIdSearchApi.as_view(), name="access-log-search"),
]
