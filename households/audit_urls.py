"""The access-log pages under /audit/ (namespace "audit"): the search, its CSV, by number."""

from __future__ import annotations

from django.urls import path

from households import access_log_views as views

app_name = "audit"

urlpatterns = [
    path("access-log/", views.AccessLogSearchView.as_view(), name="access_log"),
    path("access-log/export/", views.AccessLogExportView.as_view(), name="access_log_export"),
    path(
        "access-log/search/id/", views.AccessLogIdSearchView.as_view(), name="access_log_id_search"
    ),
]
