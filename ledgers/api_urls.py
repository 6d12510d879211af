"""Ledger API routes, included under /api/v1/ with the namespace "api-ledgers"."""

from __future__ import annotations

from django.urls import path

from ledgers import api

urlpatterns = [
    path("ledgers/", api.LedgerListApi.as_view(), name="ledger-list"),
    path("ledgers/exports/", api.ExportJobListApi.as_view(), name="export-job-list"),
    path("ledgers/exports/<uuid:job_id>/", api.ExportJobDetailApi.as_view(), name="export-job"),
    path(
        "ledgers/exports/<uuid:job_id>/file/",
        api.ExportJobFileApi.as_view(),
        name="export-job-file",
    ),
    path("ledgers/imports/", api.LedgerImportApi.as_view(), name="import"),
    path(
        "ledgers/imports/<uuid:batch_id>/commit/",
        api.LedgerImportCommitApi.as_view(),
        name="import-commit",
    ),
    path("ledgers/<slug:name>/exports/", api.LedgerExportApi.as_view(), name="export"),
]
