"""CSV ledgers: UTF-8 with a byte-order mark (so Excel on Windows reads Chinese), one header.

The fast path hands PostgreSQL's own CSV (COPY … WITH (FORMAT csv)) to the file untouched;
only when identity numbers are to be decrypted do rows pass through Python.

Formulas (CSV injection, OWASP's rule): a text cell that starts with =, +, -, @, a tab or a
carriage return would be run by a spreadsheet as a formula (=HYPERLINK(…) in a member's
name, a need typed into the public help form). Such a cell gets a leading apostrophe, which
spreadsheets take as "this is text" and do not show. PostgreSQL does it in the SELECT that
COPY runs (`formula_safe_select`), on both paths, so the fast path stays one COPY with no
Python per row. Which cells are checked is decided per column: number columns are left
alone, since they hold SQL numbers, whose text is digits with at most a leading minus, which
a spreadsheet reads as the number it is (an apostrophe would turn -50 into text that no
longer sums); date columns are SQL dates as ISO text, and columns marked `trusted` hold our
own labels, codes and formatted times: none of these can start a formula. Every other column
(names, addresses, anything typed by a person) is checked.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from ledgers.definitions import Column

BOM = "\ufeff".encode()
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The same six as code points, for PostgreSQL's ascii() (the first character's code): an
# integer comparison per cell, where a regular expression costs several times more.
_FORMULA_CODES = ", ".join(str(ord(c)) for c in FORMULA_STARTS)


def formula_safe_select(sql: str, columns: Sequence[Column]) -> str:
    """Wrap a ledger's SELECT so that none of its cells can start a formula.

    Numbers, dates and trusted columns pass as they are (see the module docstring); in any
    other column a value that starts with one of FORMULA_STARTS gets an apostrophe in front.
    The SQL holds no values, only the ledger's own compiled query, whose values stay
    parameters.
    """
    from ledgers.definitions import Kind

    names = [f"c{i}" for i in range(len(columns))]
    cells = []
    for name, column in zip(names, columns, strict=True):
        if column.trusted or column.kind in (Kind.NUMBER, Kind.DATE):
            cells.append(f"q.{name}")
        else:
            # Text already (a ledger's text columns are text in SQL): a cast per cell would
            # cost a third of the export's time; a column that was not would fail loudly.
            value = f"q.{name}"
            cells.append(
                f"CASE WHEN ascii({value}) IN ({_FORMULA_CODES}) "
                f"THEN '''' || {value} ELSE {value} END"
            )
    return f"SELECT {', '.join(cells)} FROM ({sql}) AS q({', '.join(names)})"  # noqa: S608


class _Utf8Writer:
    """A text sink for csv.writer that encodes into the binary file."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(text.encode())


def write_header(out: BinaryIO, headers: Sequence[str]) -> None:
    out.write(BOM)
    csv.writer(_Utf8Writer(out), lineterminator="\n").writerow(headers)


def write_copied(
    out: BinaryIO, chunks: Iterable[bytes], *, progress: Callable[[int], None] | None = None
) -> int:
    """Append COPY's CSV output (one chunk per row) and count the rows."""
    n = 0
    write = out.write
    for n, chunk in enumerate(chunks, 1):
        write(chunk)
        if progress is not None and n % 50_000 == 0:
            progress(n)
    return n


def write_rows(
    out: BinaryIO,
    rows: Iterable[Sequence[str | None]],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Append rows of text (None for empty) and count them."""
    writer = csv.writer(_Utf8Writer(out), lineterminator="\n")
    n = 0
    for n, row in enumerate(rows, 1):
        writer.writerow(row)
        if progress is not None and n % 50_000 == 0:
            progress(n)
    return n
