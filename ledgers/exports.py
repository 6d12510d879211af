"""Exports: start, run (the Celery job), stream small ones at once, expire old files.

A small export (at most SYNC_ROW_LIMIT rows) is written in the request and downloaded at
once; a larger one becomes an ExportJob that `ledger_export_task(job_id)` writes into a file
under settings.LEDGER_EXPORT_DIR (0600, in a 0700 directory that no web server serves), with
progress, listed on the user's downloads page until it expires (EXPORT_TTL). Every export,
either way, leaves one AccessLog(action="export") row with the ledger, filters, format and
row count. Identity numbers are masked unless the actor may export them in full
(`Can.EXPORT_FULL_ID_NUMBERS`, never an auditor); then the writer decrypts them row by row,
with the cipher the registry provides (ledgers.hooks).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from config.db_router import reading_from_replica
from core.audit import log_access
from core.models import AccessLog
from ledgers import csvfile, hooks, source
from ledgers.definitions import Ledger, as_query_dict, get_ledger
from ledgers.models import ExportJob
from ledgers.xlsx import XlsxColumn, XlsxWriter

if TYPE_CHECKING:
    from django.http import HttpRequest

    from access.roles import SignedIn

logger = logging.getLogger(__name__)

SYNC_ROW_LIMIT = getattr(settings, "LEDGER_EXPORT_SYNC_ROWS", 5_000)
EXPORT_TTL = dt.timedelta(hours=getattr(settings, "LEDGER_EXPORT_TTL_HOURS", 72))
# A job still queued this long after it was published is published again (Redis was down).
REQUEUE_AFTER = dt.timedelta(minutes=5)
PROGRESS_EVERY = 50_000
CONTENT_TYPES = {
    ExportJob.Format.CSV: "text/csv; charset=utf-8",
    ExportJob.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportRequest:
    """What to export, checked: the ledger, its validated filters and the masking choice."""

    ledger: Ledger
    format: str
    filters: dict[str, str]
    as_of: dt.date | None
    full_id_numbers: bool


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    rows: int


# ---- who may export what -----------------------------------------------------------------


def export_request_build(
    *,
    actor: SignedIn | None,
    ledger_name: str,
    fmt: str,
    filters: dict[str, Any] | None = None,
    as_of: dt.date | None = None,
    full_id_numbers: bool = False,
) -> ExportRequest:
    """Check an export request: 404 for an unknown ledger, 403 for what the actor may not do,
    ValidationError for filters the ledger's list would refuse too."""
    ledger = get_ledger(ledger_name)
    if not can(actor, Can.EXPORT_LEDGERS):
        raise PermissionDenied
    if full_id_numbers and not can(actor, Can.EXPORT_FULL_ID_NUMBERS):
        raise PermissionDenied(_("您没有导出完整身份证号的权限。"))
    if fmt not in ExportJob.Format.values:
        raise ValidationError({"format": _("不支持的导出格式。")})
    if as_of is not None and as_of > timezone.localdate():
        raise ValidationError({"as_of": future_as_of_message()})
    area = (filters or {}).get("area")
    if area not in ("", None):
        # An area outside the actor's scope reads as not found, as on the dashboards; an
        # empty file would say only "nothing there", which is not true either.
        hooks.areas().get(actor=actor, code=str(area))
    clean = _clean_filters(ledger, filters or {}, as_of)
    return ExportRequest(
        ledger=ledger,
        format=fmt,
        filters=clean,
        as_of=as_of,
        full_id_numbers=full_id_numbers,
    )


def future_as_of_message() -> str:
    return _("截至日期不能晚于今天（%(today)s）：那一天还没有到，没有可以重现的台账。") % {
        "today": timezone.localdate().isoformat()
    }


def _clean_filters(ledger: Ledger, filters: dict[str, Any], as_of: dt.date | None) -> dict:
    known = set(ledger.filterset_class.base_filters) if ledger.filterset_class else set()
    # Kept in the job and the access log: a search by identity number is kept hashed.
    keep = hooks.id_numbers().for_keeping
    clean = {k: keep(str(v)) for k, v in filters.items() if k in known and v not in ("", None)}
    if as_of is not None:
        if not ledger.supports_as_of:
            raise ValidationError({"as_of": _("该台账不支持按月末日期重现。")})
        refused = sorted(set(clean) - set(ledger.as_of_filters))
        if refused:
            raise ValidationError(
                {
                    "as_of": _("按截至日期导出时只能按以下条件筛选：%(f)s。")
                    % {"f": "、".join(ledger.as_of_filters) or "—"}
                }
            )
    if ledger.filterset_class and clean:
        filterset = ledger.filterset_class(data=as_query_dict(clean))
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
    return clean


# ---- writing -------------------------------------------------------------------------------


def _banner(req: ExportRequest, actor: SignedIn, at: dt.datetime, rows: int | None = None) -> str:
    local = timezone.localtime(at)
    parts = [
        str(req.ledger.title),
        _("导出人：%(who)s（%(username)s）") % {"who": actor, "username": actor.get_username()},
        _("导出时间：%(at)s") % {"at": local.strftime("%Y-%m-%d %H:%M")},
        _("范围：%(area)s") % {"area": actor.area or "—"},
    ]
    if req.as_of:
        parts.append(_("截至：%(d)s") % {"d": req.as_of.isoformat()})
        if any(column.key == "placed" for column in req.ledger.columns):
            parts.append(_("早于系统记录的行按自身日期推定，见“按自身日期推定”列"))
    if req.filters:
        parts.append(
            _("筛选：%(f)s") % {"f": "，".join(f"{k}={v}" for k, v in sorted(req.filters.items()))}
        )
    parts.append(_("身份证号：完整") if req.full_id_numbers else _("身份证号：已脱敏"))
    return " · ".join(parts)


def _decrypting(rows: Any, position: int) -> Any:
    decrypt = hooks.id_numbers().decrypt
    for row in rows:
        cipher = row[position]
        if not cipher:
            yield row
            continue
        row = list(row)
        row[position] = decrypt(bytes.fromhex(cipher))
        yield row


def write_ledger(
    out: BinaryIO,
    req: ExportRequest,
    *,
    actor: SignedIn,
    at: dt.datetime,
    progress: Any = None,
) -> int:
    """Write the ledger's rows to `out` in the request's format; returns the row count."""
    ledger = req.ledger
    with reading_from_replica():
        row_query = ledger.row_query(
            actor=actor,
            filters=req.filters,
            as_of=req.as_of,
            full_id_numbers=req.full_id_numbers,
        )
        if progress is not None and source.shares_connection(row_query.queryset.db):
            progress = None  # one connection: no progress writes while COPY runs (trap 1)
        if req.format == ExportJob.Format.CSV:
            return _write_csv(out, ledger, row_query, progress)
        return _write_xlsx(out, req, row_query, actor=actor, at=at, progress=progress)


def _write_csv(out: BinaryIO, ledger: Ledger, row_query: Any, progress: Any) -> int:
    """The CSV, its text cells formula-safe (csvfile) on both paths: the decrypted numbers
    are digits, and the cipher column's hex never starts a formula."""
    csvfile.write_header(out, ledger.headers)
    if row_query.cipher_column is None:
        with source.copy_csv(row_query, ledger.columns) as chunks:
            return csvfile.write_copied(out, chunks, progress=progress)
    with source.copy_rows(row_query, len(ledger.columns), ledger.columns) as rows:
        return csvfile.write_rows(
            out, _decrypting(rows, row_query.cipher_column), progress=progress
        )


def _write_xlsx(
    out: BinaryIO,
    req: ExportRequest,
    row_query: Any,
    *,
    actor: SignedIn,
    at: dt.datetime,
    progress: Any,
) -> int:
    banner = _banner(req, actor, at)
    return write_xlsx(
        out,
        req.ledger,
        row_query,
        banner=banner,
        author=f"{actor}（{actor.get_username()}）",
        created=at,
        progress=progress,
    )


def write_xlsx(
    out: BinaryIO,
    ledger: Ledger,
    row_query: Any,
    *,
    banner: str,
    author: str,
    created: dt.datetime,
    progress: Any = None,
) -> int:
    """A ledger's rows as a workbook, straight from COPY (`XlsxWriter.write_copied`)."""
    writer = XlsxWriter(
        out,
        columns=[XlsxColumn(str(c.header), c.kind, c.width) for c in ledger.columns],
        sheet_title=str(ledger.title),
        banner=banner,
        author=author,
        created=created,
        description=banner,
    )
    try:
        with source.copy_xlsx(row_query, [c.kind for c in ledger.columns]) as blocks:
            n = writer.write_copied_blocks(
                blocks,
                cipher_column=row_query.cipher_column,
                decrypt=_decrypt_hex,
                progress=progress,
            )
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return n


def _decrypt_hex(cipher: str) -> str:
    return hooks.id_numbers().decrypt(bytes.fromhex(cipher))


def _filename(req: ExportRequest, actor: SignedIn, at: dt.datetime) -> str:
    """家庭台账_平江街道_20261130-0930.xlsx: the ledger, the area it covers (the filter's, else
    the actor's), by name as people call it, and when (or as of when)."""
    local = timezone.localtime(at)
    area_name = None
    if req.filters.get("area"):
        area_name = hooks.areas().name_of(req.filters["area"])
    if area_name is None and actor.area_id:
        area_name = actor.area.name
    name = _FILENAME_UNSAFE.sub("", area_name) if area_name is not None else ""
    stamp = req.as_of.strftime("截至%Y%m%d") if req.as_of else local.strftime("%Y%m%d-%H%M")
    return "_".join(part for part in (str(req.ledger.title), name, stamp) if part) + (
        f".{req.format}"
    )


# Characters no file system or browser keeps in a file name.
_FILENAME_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _log_export(
    *, actor: SignedIn, req: ExportRequest, rows: int, request: HttpRequest | None, job: Any = None
) -> None:
    log_access(
        actor=actor,
        action=AccessLog.Action.EXPORT,
        request=request,
        obj=job,
        detail={
            "ledger": req.ledger.name,
            "format": req.format,
            "filters": req.filters,
            "as_of": req.as_of.isoformat() if req.as_of else None,
            "rows": rows,
            "full_id_numbers": req.full_id_numbers,
            "job": str(job.uuid) if job is not None else None,
        },
    )


# ---- a first page, for the drill-down list -------------------------------------------------


@dataclass(frozen=True)
class LedgerPreview:
    rows: list[tuple[Any, ...]]
    total: int
    capped: bool


def ledger_preview(
    *, actor: SignedIn, ledger: Ledger, filters: dict[str, Any], size: int = 50, cap: int = 10_000
) -> LedgerPreview:
    """The first rows of a ledger (masked) and how many there are, counted up to `cap`."""
    req = export_request_build(
        actor=actor, ledger_name=ledger.name, fmt=ExportJob.Format.CSV, filters=filters
    )
    with reading_from_replica():
        row_query = ledger.row_query(actor=actor, filters=req.filters)
        rows = list(row_query.queryset[:size])
        total = source.count(row_query, cap=cap)
    return LedgerPreview(rows=rows, total=min(total, cap), capped=total > cap)


# ---- the two paths -----------------------------------------------------------------------


def export_is_small(*, actor: SignedIn, req: ExportRequest) -> bool:
    """Whether the export fits in a request (counted up to SYNC_ROW_LIMIT + 1 rows)."""
    with reading_from_replica():
        row_query = req.ledger.row_query(
            actor=actor, filters=req.filters, as_of=req.as_of, full_id_numbers=False
        )
        return source.count(row_query, cap=SYNC_ROW_LIMIT) <= SYNC_ROW_LIMIT


def export_now(
    *, actor: SignedIn, req: ExportRequest, request: HttpRequest | None = None
) -> ExportFile:
    """Write a small export in memory and record it; the caller sends it at once."""
    at = timezone.now()
    buffer = io.BytesIO()
    rows = write_ledger(buffer, req, actor=actor, at=at)
    _log_export(actor=actor, req=req, rows=rows, request=request)
    return ExportFile(
        content=buffer.getvalue(),
        filename=_filename(req, actor, at),
        content_type=CONTENT_TYPES[req.format],
        rows=rows,
    )


@transaction.atomic
def export_job_start(*, actor: SignedIn, req: ExportRequest) -> ExportJob:
    """Queue a large export; the job runs after the commit.

    The queued row is what counts, not the message: if Redis is down the job still starts
    (core.enqueue) and `export_jobs_requeue` publishes it again once Redis is back.
    """
    from core.enqueue import enqueue_on_commit
    from ledgers.tasks import ledger_export_task

    job = ExportJob.objects.create(
        actor=actor,
        ledger=req.ledger.name,
        format=req.format,
        filters=req.filters,
        as_of=req.as_of,
        full_id_numbers=req.full_id_numbers,
    )
    enqueue_on_commit(ledger_export_task, job.pk)
    return job


def export_jobs_requeue(*, now: dt.datetime | None = None) -> int:
    """Publish again the jobs still queued REQUEUE_AFTER after their last publish; how many.

    A job whose message never reached Redis (it was down) would otherwise wait forever. One
    whose message is only waiting behind other work may be published twice: harmless, since
    `export_job_run` finishes a job once. Each job is published at most once an interval.
    """
    from ledgers.tasks import ledger_export_task

    now = now or timezone.now()
    stale = ExportJob.objects.filter(
        status=ExportJob.Status.QUEUED, updated_at__lte=now - REQUEUE_AFTER
    )
    published = 0
    for pk in stale.values_list("pk", flat=True):
        if ExportJob.objects.filter(pk=pk, status=ExportJob.Status.QUEUED).update(updated_at=now):
            ledger_export_task.delay(pk)
            published += 1
    return published


def export_root() -> Path:
    """Where finished exports are kept: settings.LEDGER_EXPORT_DIR, private to this user."""
    return Path(settings.LEDGER_EXPORT_DIR)


def _private_root() -> Path:
    """The export directory, created 0700 (and made so if it was not)."""
    root = export_root()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    if root.stat().st_mode & 0o077:
        root.chmod(0o700)
    return root


def _open_private(path: Path) -> BinaryIO:
    """A new file readable by this user alone (0600 whatever the umask), for writing."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file left by an earlier attempt keeps its mode otherwise
    return os.fdopen(fd, "wb")


def export_path(job: ExportJob) -> Path:
    return export_root() / job.file_name


def _claim(job_id: int) -> ExportJob | None:
    """Mark the job running for one more attempt, or None when there is nothing to do."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (ExportJob.Status.DONE, ExportJob.Status.EXPIRED):
            return None
        job.status = ExportJob.Status.RUNNING
        job.attempts += 1
        job.progress_rows = 0
        job.error = ""
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "progress_rows", "error", "started_at"])
        return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write a queued export's file: the body of `ledger_export_task`.

    Idempotent: a job already done is left alone; an interrupted attempt (worker lost, a
    database error) leaves only its own partial file, which the next attempt replaces, and
    the job is finished (file in place, row count, access log) in one transaction, once.
    """
    job = _claim(job_id)
    if job is None:
        return None
    try:
        return _run(job)
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            status=ExportJob.Status.FAILED, error=str(error)[:2000]
        )
        raise


def _run(job: ExportJob) -> ExportJob:
    actor = job.actor
    req = export_request_build(
        actor=actor,
        ledger_name=job.ledger,
        fmt=job.format,
        filters=job.filters,
        as_of=job.as_of,
        full_id_numbers=job.full_id_numbers,
    )
    with reading_from_replica():
        total = source.count(
            req.ledger.row_query(actor=actor, filters=req.filters, as_of=req.as_of)
        )
    ExportJob.objects.filter(pk=job.pk).update(total_rows=total)
    at = timezone.now()
    root = _private_root()
    final_name = f"{job.uuid}.{job.format}"
    partial = root / f"{job.uuid}.{job.attempts}.part"

    def progress(n: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(progress_rows=n)

    try:
        with _open_private(partial) as out:
            rows = write_ledger(out, req, actor=actor, at=at, progress=progress)
    except BaseException:
        # A failed attempt's file goes at once (it may hold full identity numbers); one left
        # by a killed worker goes with the expired exports (_remove_stale_parts).
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, root / final_name)
    return _finish(job, req, rows=rows, file_name=final_name, at=at)


@transaction.atomic
def _finish(
    job: ExportJob, req: ExportRequest, *, rows: int, file_name: str, at: dt.datetime
) -> ExportJob:
    job = ExportJob.objects.select_for_update().get(pk=job.pk)
    if job.status == ExportJob.Status.DONE:
        return job
    job.status = ExportJob.Status.DONE
    job.row_count = rows
    job.progress_rows = rows
    job.total_rows = max(job.total_rows, rows)
    job.file_name = file_name
    job.file_size = (export_root() / file_name).stat().st_size
    job.finished_at = timezone.now()
    job.expires_at = job.finished_at + EXPORT_TTL
    job.save(
        update_fields=[
            "status",
            "row_count",
            "progress_rows",
            "total_rows",
            "file_name",
            "file_size",
            "finished_at",
            "expires_at",
        ]
    )
    _log_export(actor=job.actor, req=req, rows=rows, request=None, job=job)
    return job


def export_download_name(job: ExportJob) -> str:
    req = ExportRequest(
        ledger=get_ledger(job.ledger),
        format=job.format,
        filters=job.filters,
        as_of=job.as_of,
        full_id_numbers=job.full_id_numbers,
    )
    return _filename(req, job.actor, job.finished_at or job.created_at)


def export_jobs_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of finished jobs past their expiry (and stale partial files)."""
    now = now or timezone.now()
    expired = 0
    due = ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now)
    for job in due.only("pk", "file_name", "uuid"):
        with transaction.atomic():
            updated = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(
                status=ExportJob.Status.EXPIRED
            )
        if updated and job.file_name:
            (export_root() / job.file_name).unlink(missing_ok=True)
            expired += 1
    _remove_stale_parts(now)
    return expired


def _remove_stale_parts(now: dt.datetime) -> None:
    """Partial export files, and uploaded ledgers never confirmed (they hold full identity
    numbers), once they are older than the export expiry."""
    cutoff = (now - EXPORT_TTL).timestamp()
    stale = [*_files(export_root(), "*.part"), *_files(Path(settings.MEDIA_ROOT) / "imports", "*")]
    for path in stale:
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _files(root: Path, pattern: str) -> list[Path]:
    return [p for p in root.glob(pattern) if p.is_file()] if root.exists() else []
