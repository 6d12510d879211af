"""Ledger pages under /ledgers/ (namespace "ledgers")."""

from __future__ import annotations

from django.urls import path

from ledgers import views

app_name = "ledgers"

urlpatterns = [
    path("", views.LedgerIndexView.as_view(), name="index"),
    path("downloads/", views.DownloadListView.as_view(), name="downloads"),
    path("downloads/<uuid:job_id>/", views.DownloadFileView.as_view(), name="download"),
    path("downloads/<uuid:job_id>/status/", views.DownloadStatusView.as_view(), name="job_status"),
    path("import/", views.ImportView.as_view(), name="import"),
    path(
        "import/template.<str:fmt>",
        views.ImportTemplateView.as_view(),
        {},
        name="import_template",
    ),
    path("import/<uuid:batch_id>/", views.ImportReportView.as_view(), name="import_report"),
    path(
        "import/<uuid:batch_id>/confirm/",
        views.ImportConfirmView.as_view(),
        name="import_confirm",
    ),
    path("<slug:name>/", views.LedgerRowsView.as_view(), name="rows"),
    path("<slug:name>/export/", views.LedgerExportView.as_view(), name="export"),
]
