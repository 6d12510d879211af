"""Reading an uploaded ledger (XLSX or CSV) as rows of text keyed by column, with row numbers.

XLSX is read with python-calamine (Rust, maintained, reads a 100,000-row sheet in about a
second); CSV as UTF-8 (with or without a byte-order mark) or, failing that, GB18030, which
is what Excel on a Chinese Windows saves. Both are read in a child process with limits of
its own, after the file's size and an XLSX's zip have been checked (`upload`). The header
row is found among the first rows (an exported ledger starts with a banner row), and columns
are matched by their header in any of the site's languages, whatever the uploader's own: a
template downloaded in English and one filled in from a Chinese ledger both import
(`header_names`).
What a ledger's columns mean, and what is checked, belongs to the app that registers its
importer (ledgers.hooks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from ledgers import upload

HEADER_SEARCH_ROWS = 5


@dataclass(frozen=True)
class ImportColumn:
    key: str
    header: Any  # lazy Chinese header, matched against the file
    required: bool = False
    help: Any = ""
    example: str = ""


@dataclass(frozen=True)
class Cell:
    """A value as read; `numeric` marks a number cell (an identity number typed as a number)."""

    text: str
    numeric: bool = False


Row = dict[str, Cell]


def _cell(value: Any) -> Cell:
    if type(value) is str:
        return Cell(value.strip())
    if value is None:
        return Cell("")
    if isinstance(value, bool):
        return Cell("是" if value else "否")
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
        return Cell(text, numeric=True)
    if isinstance(value, int):
        return Cell(str(value), numeric=True)
    if isinstance(value, dt.datetime):
        return Cell(value.date().isoformat() if value.time() == dt.time() else value.isoformat())
    if isinstance(value, dt.date):
        return Cell(value.isoformat())
    return Cell(str(value).strip())


def _raw_rows(path: Path) -> Iterator[list[Any]]:
    """The file's rows, read in a guarded child process (ledgers/upload.py)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        upload.inspect_xlsx(path)
    elif suffix != ".csv":
        raise ValidationError(_("只支持 XLSX 或 CSV 文件。"))
    return upload.read_raw_rows(path)


def read_rows(path: Path, columns: Sequence[ImportColumn]) -> Iterator[tuple[int, Row]]:
    """(spreadsheet row number, {column key: Cell}) for each non-empty data row.

    Raises ValidationError when no header row names the required columns.
    """
    by_header = {name: c.key for c in columns for name in header_names(c.header)}
    rows = _raw_rows(path)
    mapping: dict[int, str] | None = None
    number = 0
    for number, raw in enumerate(rows, 1):
        mapping = _header_mapping(raw, by_header, columns)
        if mapping is not None or number >= HEADER_SEARCH_ROWS:
            break
    if mapping is None:
        raise ValidationError(
            _("前%(n)d行中没有找到表头，请使用导入模板。") % {"n": HEADER_SEARCH_ROWS}
        )
    missing = [str(c.header) for c in columns if c.required and c.key not in mapping.values()]
    if missing:
        raise ValidationError(_("缺少必填列：%(cols)s。") % {"cols": "、".join(missing)})
    for data_number, raw in enumerate(rows, number + 1):
        cells = {key: _cell(raw[i]) if i < len(raw) else Cell("") for i, key in mapping.items()}
        if any(cell.text for cell in cells.values()):
            yield data_number, cells


def _header_mapping(
    raw: Sequence[Any], by_header: dict[str, str], columns: Sequence[ImportColumn]
) -> dict[int, str] | None:
    mapping: dict[int, str] = {}
    for i, value in enumerate(raw):
        key = by_header.get(str(value or "").strip().casefold())
        if key is not None:
            mapping[i] = key
    return mapping if len(set(mapping.values())) >= max(2, len(columns) // 2) else None


def in_every_language(text: Any) -> set[str]:
    """A lazy translation rendered in each of settings.LANGUAGES (the source text too)."""
    names = {str(text).strip()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(text).strip())
    return names


def header_names(header: Any) -> set[str]:
    """The headers a column is recognised by: its header in every language, any case."""
    return {name.casefold() for name in in_every_language(header)}
