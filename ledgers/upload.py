"""An uploaded ledger file, before and while it is read: limits, inspection, a guarded reader.

A ledger upload is hostile input to a native parser. Three steps keep a web worker alive:

1. `check_upload_size`: the file's size against LEDGER_IMPORT_MAX_UPLOAD_MB, before it is
   copied anywhere.
2. `inspect_xlsx`: the zip's directory (each part's declared inflated size and ratio, and
   their total) and the first sheet's declared <dimension>, from a bounded read of the start
   of its XML, against the settings; refused, saying why, before anything is stored.
3. `read_raw_rows`: the cells are read by `sandbox_reader.py` in a child process with an
   address-space and CPU limit and a timeout. The child also counts the rows and columns
   the sheet's cells really name. If it is killed or fails, the import gets an error; the
   worker that waited for it is untouched.

A child process rather than the Celery worker: validating an upload answers the page and the
API at once with its report, and a subprocess gives that answer with a hard, per-file limit,
where a Celery worker's max-memory-per-child only recycles the worker after a task has
already grown it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.masking import mask_id_numbers
from ledgers import sandbox_reader

_MB = 1024 * 1024
# Small parts compress well whatever they hold; the ratio is judged from this size up.
_RATIO_FROM_BYTES = _MB
# How much of a sheet's XML is read to find its <dimension> (it comes first, after the
# <sheetPr> element).
_DIMENSION_HEAD_BYTES = 64 * 1024


def _size(n: int) -> str:
    if n >= _MB:
        return f"{n / _MB:.1f} MB"
    return f"{max(1, n // 1024)} KB"


def check_upload_size(size: int) -> None:
    limit = settings.LEDGER_IMPORT_MAX_UPLOAD_MB * _MB
    if size > limit:
        raise ValidationError(
            _("文件过大（%(size)s），导入文件不能超过 %(limit)s。请拆分后分批导入。")
            % {"size": _size(size), "limit": _size(limit)},
            code="too_large",
        )


def inspect_xlsx(path: Path) -> None:
    """Refuse an XLSX whose zip or first sheet is over the limits, before it is parsed."""
    try:
        with zipfile.ZipFile(path) as archive:
            _check_zip(archive.infolist())
            part = sandbox_reader.first_sheet_part(archive)
            # A workbook laid out in a way we do not follow is left to the reader, which
            # counts every sheet's cells, and to its limits.
            ref = (
                sandbox_reader.declared_dimension(archive, part, _DIMENSION_HEAD_BYTES)
                if part is not None
                else None
            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError):
        raise ValidationError(
            _("该文件不是有效的 XLSX 表格，或已损坏。请在 Excel 中另存为 XLSX 后再导入。")
        ) from None
    if ref is not None:
        rows, columns = sandbox_reader.dimension_size(ref)
        check_sheet_size(rows, columns, declared=ref)


def _check_zip(members: list[zipfile.ZipInfo]) -> None:
    max_ratio = settings.LEDGER_IMPORT_MAX_RATIO
    for member in members:
        inflated, deflated = member.file_size, max(1, member.compress_size)
        if inflated >= _RATIO_FROM_BYTES and inflated / deflated > max_ratio:
            raise ValidationError(
                _(
                    "文件中的“%(part)s”压缩比异常（解压后 %(size)s，是压缩后的 %(ratio)d 倍，"
                    "上限为 %(max)d 倍），疑似恶意构造的文件，已拒绝。"
                )
                % {
                    "part": mask_id_numbers(member.filename[:100]),
                    "size": _size(inflated),
                    "ratio": inflated // deflated,
                    "max": max_ratio,
                },
                code="ratio",
            )
    total = sum(member.file_size for member in members)
    limit = settings.LEDGER_IMPORT_MAX_INFLATED_MB * _MB
    if total > limit:
        raise ValidationError(
            _(
                "该 XLSX 文件解压后共 %(size)s，超过上限 %(limit)s。"
                "请删除多余的工作表或拆分后再导入。"
            )
            % {"size": _size(total), "limit": _size(limit)},
            code="inflated",
        )


def check_sheet_size(rows: int, columns: int, *, declared: str = "") -> None:
    max_rows, max_columns = settings.LEDGER_IMPORT_MAX_ROWS, settings.LEDGER_IMPORT_MAX_COLUMNS
    if rows <= max_rows and columns <= max_columns:
        return
    limits = {"rows": rows, "columns": columns, "max_rows": max_rows, "max_columns": max_columns}
    if declared:
        message = _(
            "第一张工作表声明的范围是 %(ref)s，共 %(rows)d 行、%(columns)d 列，超过上限"
            "（%(max_rows)d 行、%(max_columns)d 列）。"
            "请删除表格末尾多余的行和列，或拆分后再导入。"
        ) % {**limits, "ref": declared[:40]}
    else:
        message = (
            _(
                "第一张工作表的单元格有 %(rows)d 行、%(columns)d 列，超过上限"
                "（%(max_rows)d 行、%(max_columns)d 列）。"
                "请删除表格末尾多余的行和列，或拆分后再导入。"
            )
            % limits
        )
    raise ValidationError(message, code="sheet_size")


# ---- the guarded reader ------------------------------------------------------------------


def read_raw_rows(path: Path) -> Iterator[list[Any]]:
    """Each row of the file's first sheet (or of the CSV) as a list of cell values, read by a
    child process; a ValidationError saying why when the child refuses, fails or is killed."""
    with tempfile.TemporaryDirectory(prefix="zhulian-import-") as scratch:
        output = Path(scratch) / "rows.jsonl"
        _run_reader(path, output)
        with output.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    rows = json.loads(line, object_hook=_value)
                except (ValueError, KeyError, TypeError):
                    raise ValidationError(_failure(1, b"")) from None
                yield from rows


def _limits() -> dict[str, int]:
    seconds = settings.LEDGER_IMPORT_READER_SECONDS
    return {
        "memory_bytes": settings.LEDGER_IMPORT_READER_MEMORY_MB * _MB,
        "cpu_seconds": seconds,
        "max_rows": settings.LEDGER_IMPORT_MAX_ROWS,
        "max_columns": settings.LEDGER_IMPORT_MAX_COLUMNS,
    }


def _run_reader(path: Path, output: Path) -> None:
    limits = _limits()
    # -I: no user site, no PYTHON* variables; and only PATH from our environment, so the
    # child holds none of the app's secrets.
    command = [sys.executable, "-I", sandbox_reader.__file__, str(path), str(output)]
    try:
        done = subprocess.run(  # noqa: S603 (our interpreter, our script, a path we wrote)
            [*command, json.dumps(limits)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=limits["cpu_seconds"] + 5,
            env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ValidationError(_timed_out()) from None
    if done.returncode == 0:
        return
    raise ValidationError(_failure(done.returncode, done.stdout))


def _timed_out() -> str:
    return _("读取该文件超过 %(s)d 秒仍未完成，已停止读取，文件未导入。请拆分后分批导入。") % {
        "s": settings.LEDGER_IMPORT_READER_SECONDS
    }


def _failure(status: int, stdout: bytes) -> str:
    try:
        why = json.loads(stdout.decode("utf-8", "replace") or "{}")
    except ValueError:
        why = {}
    if not isinstance(why, dict):
        why = {}
    if status == sandbox_reader.OVER:
        try:
            check_sheet_size(int(why.get("rows", 0)), int(why.get("columns", 0)))
        except ValidationError as error:
            return error.messages[0]
    if status == sandbox_reader.UNREADABLE and why.get("error") == "encoding":
        return _("CSV 文件编码无法识别，请另存为 UTF-8 编码。")
    if status == sandbox_reader.UNREADABLE:
        detail = mask_id_numbers(str(why.get("detail", ""))[:200])
        return _("无法读取该表格文件：%(e)s") % {"e": detail}
    if status == -9 or status == -24:  # SIGKILL, SIGXCPU: the CPU limit
        return _timed_out()
    return _(
        "读取该文件时超出了内存限制或读取程序出错，文件未导入。"
        "请检查文件是否完整，或在 Excel 中另存为新的 XLSX 文件后再导入。"
    )


_TYPES: dict[str, Any] = {
    "datetime": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "time": dt.time.fromisoformat,
    "duration": lambda seconds: dt.timedelta(seconds=seconds),
}


def _value(tagged: dict[str, Any]) -> Any:
    """A cell the reader wrote as {"date": "2026-11-01"} (and the like), as its value."""
    ((kind, value),) = tagged.items()
    return _TYPES[kind](value)
