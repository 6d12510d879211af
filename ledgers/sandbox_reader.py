"""Reading an uploaded ledger file's cells, in a process of its own.

`ledgers/upload.py` runs this file as a script (`python -I sandbox_reader.py …`), with
an address-space, CPU and core-dump limit it sets before anything else. It imports nothing of
Django or of the project, and is given none of the environment (no database URL, no
identity-number key), so whatever a hostile file does to the reader (a native allocation of
hundreds of GiB aborts the process) happens here, and the web or Celery worker that started
it only sees an exit status. The helpers that inspect an XLSX's zip are plain functions the
parent imports as well, before it starts this process.

Arguments: the file, the output file, then a JSON object of limits. Output: lines of JSON,
each an array of up to ROWS_PER_LINE rows; cells JSON cannot hold are objects such as
{"date": iso}, {"datetime": iso}, {"time": iso}, {"duration": seconds}. Exit status: 0
read; OVER (3) too many rows or columns; UNREADABLE (4); NO_MEMORY (5); stdout then holds
one JSON object saying why.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

OVER, UNREADABLE, NO_MEMORY = 3, 4, 5
# Rows per line of output: one json.dumps and one json.loads per line, both in C.
ROWS_PER_LINE = 2000

# Bounded reads of the small XML parts that say which part is the first sheet.
_PART_READ_BYTES = 1 << 20
_FIRST_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\s(?:\w+:)?id=\"([^\"]+)\"")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTRIBUTE = re.compile(rb"\b(Id|Target)=\"([^\"]*)\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([A-Za-z0-9:$]+)\"")
_CELL_REF = re.compile(r"([A-Z]{1,3})?\$?([0-9]{1,9})")
# Every cell and row reference (the `r` attribute of <c> and <row>), as the reader will
# place them; a literal prefix, so the scan runs at the speed of a substring search.
_REFERENCE = re.compile(rb" r=\"([A-Z]{0,3})([0-9]{1,9})\"")


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number


def dimension_size(ref: str) -> tuple[int, int]:
    """(rows, columns) a dimension such as "A1:XFD1048576" spans; "A1" alone is one cell."""
    corners = []
    for part in ref.upper().split(":")[:2]:
        match = _CELL_REF.fullmatch(part)
        if match is None:
            return 0, 0
        corners.append((int(match.group(2)), column_number(match.group(1) or "A")))
    if len(corners) == 1:
        return 1, 1
    (row1, col1), (row2, col2) = corners
    return abs(row2 - row1) + 1, abs(col2 - col1) + 1


def _read_part(archive: zipfile.ZipFile, name: str, limit: int = _PART_READ_BYTES) -> bytes:
    with archive.open(name) as stream:
        return stream.read(limit)


def first_sheet_part(archive: zipfile.ZipFile) -> str | None:
    """The zip member of the workbook's first sheet (the one the reader reads), or None."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    found = _FIRST_SHEET.search(_read_part(archive, "xl/workbook.xml"))
    if found is None:
        return None
    for tag in _RELATIONSHIP.findall(_read_part(archive, "xl/_rels/workbook.xml.rels")):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get(b"Id") == found.group(1) and b"Target" in attributes:
            target = attributes[b"Target"].decode("utf-8", "replace")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            part = str(PurePosixPath(path))
            return part if part in names else None
    return None


def declared_dimension(archive: zipfile.ZipFile, part: str, head_bytes: int) -> str | None:
    """The sheet's <dimension ref>, read from the first bytes of its XML only."""
    found = _DIMENSION.search(_read_part(archive, part, head_bytes))
    return found.group(1).decode("ascii") if found else None


def cell_extent(archive: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """(last row, last column) the sheet's cells and rows name, streamed in chunks: what the
    reader will allocate, whatever the dimension says."""
    rows = columns = 0
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 22):
            data = tail + chunk
            references = _REFERENCE.findall(data)
            if references:
                letters, digits = zip(*references, strict=True)
                rows = max(rows, max(map(int, set(digits))))
                columns = max(columns, *(column_number(w.decode()) for w in set(letters)))
            tail = data[-32:]
    return rows, columns


# ---- the child process ------------------------------------------------------------------


def _limit_resources(limits: dict[str, int]) -> None:
    import resource

    def lower(kind: int, value: int) -> None:
        _soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        # A platform without this limit (macOS and RLIMIT_AS) keeps the parent's timeout.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(kind, (value, value if kind != resource.RLIMIT_CPU else hard))

    lower(resource.RLIMIT_AS, limits["memory_bytes"])
    lower(resource.RLIMIT_CPU, limits["cpu_seconds"])
    # A core dump of this process would hold the file's identity numbers.
    lower(resource.RLIMIT_CORE, 0)


def _xlsx_rows(path: str, limits: dict[str, int]) -> Iterator[list[Any]]:
    try:
        with zipfile.ZipFile(path) as archive:
            part = first_sheet_part(archive)
            if part is not None:
                parts = [part]
            else:  # every sheet, as we cannot tell which one is first
                parts = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            for name in parts:
                rows, columns = cell_extent(archive, name)
                _check_size(rows, columns, limits)
    except zipfile.BadZipFile as error:
        _stop(UNREADABLE, {"error": "unreadable", "detail": str(error)})
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    except MemoryError:
        raise
    except Exception as error:  # calamine raises its own error types
        _stop(UNREADABLE, {"error": "unreadable", "detail": str(error)})
    _check_size(sheet.height, sheet.width, limits)
    yield from sheet.iter_rows()


def _csv_rows(path: str, limits: dict[str, int]) -> Iterator[list[Any]]:
    import csv
    import io

    with open(path, "rb") as f:
        data = f.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        _stop(UNREADABLE, {"error": "encoding"})
    del data
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text)), 1):
            _check_size(number, len(row), limits)
            yield row
    except csv.Error as error:
        _stop(UNREADABLE, {"error": "unreadable", "detail": str(error)})


def _check_size(rows: int, columns: int, limits: dict[str, int]) -> None:
    if rows > limits["max_rows"] or columns > limits["max_columns"]:
        _stop(OVER, {"error": "over", "rows": rows, "columns": columns})


def _stop(status: int, why: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(why, ensure_ascii=False)[:2000])
    sys.stdout.flush()
    raise SystemExit(status)


def _tagged(value: Any) -> Any:
    """A cell JSON cannot hold, as an object (no cell is one): json.dumps calls this only
    for such cells, and the parent's object_hook turns them back."""
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"time": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"duration": value.total_seconds()}
    return str(value)


def _write(rows: Iterator[list[Any]], out: Any) -> None:
    chunk: list[list[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == ROWS_PER_LINE:
            out.write(json.dumps(chunk, ensure_ascii=False, default=_tagged) + "\n")
            chunk = []
    if chunk:
        out.write(json.dumps(chunk, ensure_ascii=False, default=_tagged) + "\n")


def main(argv: list[str]) -> int:
    source, output, limits = argv[1], argv[2], json.loads(argv[3])
    _limit_resources(limits)
    try:
        rows = _csv_rows(source, limits) if source.endswith(".csv") else _xlsx_rows(source, limits)
        with open(output, "w", encoding="utf-8") as out:
            _write(rows, out)
    except MemoryError:
        _stop(NO_MEMORY, {"error": "memory"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
