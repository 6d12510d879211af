"""Pages of no app under /audit/ (namespace "audit"): the access-log search and its CSV."""

from __future__ import annotations

from django.urls import path

from core import views

app_name = "audit"

urlpatterns = [
    path("access-log/", views.AccessLogSearchView.as_view(), name="access_log"),
    path("access-log/export/", views.AccessLogExportView.as_view(), name="access_log_export"),
    path(
        "access-log/search/id/", views.AccessLogIdSearchView.as_view(), name="access_log_id_search"
    ),
]
