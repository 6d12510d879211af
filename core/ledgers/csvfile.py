"""CSV ledgers: UTF-8 with a byte-order mark (so Excel on Windows reads Chinese), one header.

The fast path hands PostgreSQL's own CSV (COPY … WITH (FORMAT csv)) to the file untouched;
only when identity numbers are to be decrypted do rows pass through Python.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO

BOM = "\ufeff".encode()


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
