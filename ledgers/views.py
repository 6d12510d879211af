"""Ledger pages: export (small at once, large as a job), the downloads list, import.

Parse → access through a selector → one service → render or redirect.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from pathlib import Path
from typing import Any

import django_filters
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from access.capabilities import Can, can
from ledgers import exports, hooks
from ledgers.definitions import all_ledgers, get_ledger
from ledgers.forms import ExportForm, ImportForm
from ledgers.models import ExportJob
from ledgers.selectors import (
    export_job_get,
    export_job_list,
    import_batch_get,
    import_batch_list,
)


def _filters_from(query: Any, ledger: Any) -> dict[str, str]:
    known = set(ledger.filterset_class.base_filters) if ledger.filterset_class else set()
    return {k: v for k, v in query.items() if k in known and v}


def _filter_words(*, actor: Any, ledger: Any, filters: dict[str, str]) -> list[tuple[str, str]]:
    """The filters in the reader's words (label, value): an area by its name, a choice by
    its label, so a drill-down reads 区划 狮林社区 · 享受救助 低保, not area=…&enrolled=…"""
    base = ledger.filterset_class.base_filters if ledger.filterset_class else {}
    words = []
    for key, value in filters.items():
        field = base.get(key)
        # A filter's label also documents the API (口径 in brackets, after a ；): the head only.
        label = str(field.label) if field is not None and field.label else key
        label = re.split(r"[（(；]", label, maxsplit=1)[0] or label
        text = value
        if isinstance(field, django_filters.BooleanFilter):
            text = _("是") if value.lower() in ("true", "1", "yes") else _("否")
        elif key == "area":
            label = _("区划")
            with contextlib.suppress(Http404):  # out of scope or unknown: the code as typed
                text = hooks.areas().get(actor=actor, code=value).name
        elif key == "assignee":
            label = _("负责社工")
            text = {"me": _("本人"), "none": _("未分配")}.get(value, value)
        elif field is not None and "choices" in field.extra:
            text = str(dict(field.extra["choices"]).get(value, value))
        words.append((label, text))
    return words


class LedgerIndexView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, Can.EXPORT_LEDGERS):
            raise PermissionDenied
        allow_full = can(request.user, Can.EXPORT_FULL_ID_NUMBERS)
        ledgers = [
            {
                "ledger": ledger,
                "filters": _filters_from(request.GET, ledger),
                "filter_words": _filter_words(
                    actor=request.user, ledger=ledger, filters=_filters_from(request.GET, ledger)
                ),
                "form": ExportForm(allow_full=allow_full, prefix=ledger.name),
            }
            for ledger in all_ledgers()
        ]
        context = {"ledgers": ledgers, "may_import": can(request.user, Can.IMPORT_LEDGERS)}
        return render(request, "ledgers/index.html", context)


class LedgerRowsView(LoginRequiredMixin, View):
    """The scoped, filtered rows of one ledger (the dashboard's drill-down), with its export."""

    preview_rows = 50

    def get(self, request: HttpRequest, name: str) -> HttpResponse:
        ledger = get_ledger(name)
        if not can(request.user, Can.EXPORT_LEDGERS):
            raise Http404
        filters = _filters_from(request.GET, ledger)
        try:
            page = exports.ledger_preview(
                actor=request.user, ledger=ledger, filters=filters, size=self.preview_rows
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            page = exports.LedgerPreview(rows=[], total=0, capped=False)
        allow_full = can(request.user, Can.EXPORT_FULL_ID_NUMBERS)
        return render(
            request,
            "ledgers/rows.html",
            {
                "ledger": ledger,
                "filters": filters,
                "filter_words": _filter_words(actor=request.user, ledger=ledger, filters=filters),
                "page": page,
                "form": ExportForm(allow_full=allow_full, prefix=ledger.name),
            },
        )


class LedgerExportView(LoginRequiredMixin, View):
    """POST only: an export is recorded in the access log (and may start a job)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, name: str) -> HttpResponse:
        ledger = get_ledger(name)
        allow_full = can(request.user, Can.EXPORT_FULL_ID_NUMBERS)
        form = ExportForm(request.POST, allow_full=allow_full, prefix=name)
        if not form.is_valid():
            # The messages alone: as_text() would show the field's code (* as_of * …).
            errors = "；".join(m for field in form.errors.values() for m in field)
            messages.error(request, _("导出条件有误：%(e)s") % {"e": errors})
            return redirect("ledgers:index")
        try:
            req = exports.export_request_build(
                actor=request.user,
                ledger_name=ledger.name,
                fmt=form.cleaned_data["format"],
                filters=_filters_from(request.POST, ledger),
                as_of=form.cleaned_data["as_of"],
                full_id_numbers=form.cleaned_data.get("full_id_numbers", False),
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return redirect("ledgers:index")
        if exports.export_is_small(actor=request.user, req=req):
            return _file_response(exports.export_now(actor=request.user, req=req, request=request))
        job = exports.export_job_start(actor=request.user, req=req)
        messages.success(request, _("导出数据较多，已转入后台生成，完成后可在“我的下载”中下载。"))
        return redirect(f"{_downloads_url()}#job-{job.uuid}")


def _downloads_url() -> str:
    from django.urls import reverse

    return reverse("ledgers:downloads")


def _file_response(file: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = _disposition(file.filename)
    response["Cache-Control"] = "no-store"
    response["X-Row-Count"] = str(file.rows)
    return response


def _disposition(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = "ledger." + filename.rsplit(".", 1)[-1]
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


class DownloadListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        jobs = [
            {"job": job, "title": ledger_title(job.ledger)}
            for job in export_job_list(actor=request.user)
        ]
        return render(request, "ledgers/downloads.html", {"jobs": jobs})


def ledger_title(name: str) -> str:
    """A ledger's title for a job that names it (the name itself if it is gone since)."""
    try:
        return str(get_ledger(name).title)
    except Http404:
        return name


class DownloadStatusView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, job_id: str) -> JsonResponse:
        job = export_job_get(actor=request.user, job_id=job_id)
        return JsonResponse(job_status(job))


def job_status(job: ExportJob) -> dict[str, Any]:
    from django.urls import reverse

    done = job.status == ExportJob.Status.DONE
    return {
        "id": str(job.uuid),
        "ledger": job.ledger,
        "ledger_title": ledger_title(job.ledger),
        "full_id_numbers": job.full_id_numbers,
        "format": job.format,
        "status": job.status,
        "status_display": job.get_status_display(),
        "percent": job.percent,
        "progress_rows": job.progress_rows,
        "total_rows": job.total_rows,
        "row_count": job.row_count,
        "expires_at": job.expires_at.isoformat() if job.expires_at else None,
        "download_url": reverse("ledgers:download", args=[job.uuid]) if done else None,
    }


class DownloadFileView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, job_id: str) -> FileResponse:
        job = export_job_get(actor=request.user, job_id=job_id)
        path = exports.export_path(job) if job.file_name else None
        if job.status != ExportJob.Status.DONE or path is None or not path.exists():
            raise Http404
        response = FileResponse(
            path.open("rb"), as_attachment=True, filename=exports.export_download_name(job)
        )
        response["Cache-Control"] = "no-store"
        return response


# ---- import ------------------------------------------------------------------------------


class ImportView(LoginRequiredMixin, View):
    template = "ledgers/import.html"

    def _form(self, request: HttpRequest, data: Any = None, files: Any = None) -> ImportForm:
        areas = hooks.importer().areas(actor=request.user)
        return ImportForm(data, files, areas=areas)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Refused before a file is chosen and sent, not after (auditors, providers).
        if request.user.is_authenticated and not can(request.user, Can.IMPORT_LEDGERS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, self._context(request, self._form(request)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template, self._context(request, form), status=400)
        upload = form.cleaned_data["file"]
        area = (
            hooks.areas().get(actor=request.user, code=form.cleaned_data["area"])
            if form.cleaned_data["area"]
            else None
        )
        try:
            batch = _validate_upload(request, upload, area)
        except ValidationError as error:
            form.add_error("file", error.messages)
            return render(request, self.template, self._context(request, form), status=400)
        return redirect("ledgers:import_report", batch_id=batch.uuid)

    def _context(self, request: HttpRequest, form: ImportForm) -> dict[str, Any]:
        return {
            "form": form,
            "columns": hooks.importer().columns,
            "batches": import_batch_list(actor=request.user),
        }


def _validate_upload(request: HttpRequest, upload: Any, area: Any) -> Any:
    suffix = Path(upload.name).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as temp:
        for chunk in upload.chunks():
            temp.write(chunk)
        temp.flush()
        return hooks.importer().validate(
            actor=request.user, source=Path(temp.name), original_name=upload.name, area=area
        )


class ImportReportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, batch_id: str) -> HttpResponse:
        batch = import_batch_get(actor=request.user, batch_id=batch_id)
        return render(
            request, "ledgers/import_report.html", {"batch": batch, "report": batch.report}
        )


class ImportConfirmView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, batch_id: str) -> HttpResponse:
        batch = import_batch_get(actor=request.user, batch_id=batch_id)
        try:
            batch = hooks.importer().commit(actor=request.user, batch=batch)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, hooks.importer().committed_message(batch))
        return redirect("ledgers:import_report", batch_id=batch.uuid)


class ImportTemplateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        importer = hooks.importer()
        if fmt not in exports.CONTENT_TYPES or fmt not in importer.templates:
            raise Http404
        content = importer.templates[fmt]()
        response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = _disposition(f"{importer.template_name}.{fmt}")
        return response
