"""A ledger's rows straight out of PostgreSQL: `COPY (SELECT …) TO STDOUT`.

COPY streams rows as the server produces them, so memory stays flat whatever the size, and
it is the fastest way out of PostgreSQL (docs/performance.md). The query is the ledger's one
scoped queryset compiled to SQL, run on the connection its reads are routed to (the replica
inside `reading_from_replica()`). Nothing else may run on that connection while a COPY is
open (psycopg would hang): progress is written through another connection, or not at all.
"""

from __future__ import annotations

import contextlib
import re
import select
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import psycopg
from django.db import connections

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    from ledgers.definitions import Column, Kind, RowQuery


def compiled(row_query: RowQuery) -> tuple[str, tuple, str]:
    """(sql, params, database alias) of the ledger's rows."""
    qs = row_query.queryset
    alias = qs.db
    sql, params = qs.query.get_compiler(using=alias).as_sql()
    return sql, tuple(params), alias


def shares_connection(alias: str, other: str = "default") -> bool:
    """Whether two aliases are one connection (a test mirror): then no write during a COPY."""
    first, second = connections[alias], connections[other]
    if first is second:
        return True
    first.ensure_connection()
    second.ensure_connection()
    return first.connection is second.connection


@contextlib.contextmanager
def _cursor(connection: BaseDatabaseWrapper) -> Iterator[Any]:
    """A raw psycopg cursor for one COPY, with PostgreSQL's JIT off while it runs.

    A ledger's query is costed high (a sort of every row, a CASE per code column), so the
    planner JIT-compiles it: ~3.6 s before the first row of a 1,000,000-row export, more
    than evaluating the expressions takes without it (measured on the bench data).
    """
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        try:
            yield cursor
        finally:
            # After a failed COPY the transaction may be aborted (and will roll the SET back).
            with contextlib.suppress(psycopg.Error):
                cursor.execute("RESET jit")


def _formula_safe(sql: str, columns: Sequence[Column] | None) -> str:
    """The ledger's SELECT with its cells made formula-safe for CSV (csvfile's rule), given
    the ledger's columns; without them the query as it is."""
    if columns is None:
        return sql
    from ledgers.csvfile import formula_safe_select

    return formula_safe_select(sql, columns)


@contextlib.contextmanager
def copy_csv(
    row_query: RowQuery, columns: Sequence[Column] | None = None
) -> Iterator[Iterator[bytes]]:
    """The rows as CSV (no header), one chunk per row, exactly as PostgreSQL writes them;
    given the ledger's `columns`, cells that would start a formula are neutralised."""
    sql, params, alias = compiled(row_query)
    sql = _formula_safe(sql, columns)
    with _cursor(connections[alias]) as cursor:  # noqa: SIM117
        with cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params or None):
            yield _copied(cursor)


@contextlib.contextmanager
def copy_xlsx(row_query: RowQuery, kinds: Sequence[Kind]) -> Iterator[Iterator[list[memoryview]]]:
    """The rows shaped for the XLSX writer (`xlsx.copy_select`), in blocks of COPY_BLOCK."""
    from ledgers.xlsx import copy_select

    sql, params, alias = compiled(row_query)
    with _cursor(connections[alias]) as cursor:  # noqa: SIM117
        with cursor.copy(f"COPY ({copy_select(sql, kinds)}) TO STDOUT", params or None):
            yield _copied_blocks(cursor, COPY_BLOCK)


@contextlib.contextmanager
def copy_rows(
    row_query: RowQuery, width: int, columns: Sequence[Column] | None = None
) -> Iterator[Iterator[list[str | None]]]:
    """The rows as lists of text (None for NULL), from COPY's text format; `columns` as for
    `copy_csv`.

    Each line is split on tabs; only a line holding a backslash (an escaped tab, newline or
    backslash in some value, or a NULL) goes through the unescaping below.
    """
    sql, params, alias = compiled(row_query)
    sql = _formula_safe(sql, columns)
    with _cursor(connections[alias]) as cursor:  # noqa: SIM117
        with cursor.copy(f"COPY ({sql}) TO STDOUT", params or None):
            yield _parsed(_copied(cursor), width)


def _copied(cursor: Any) -> Iterator[memoryview]:
    """A running COPY's rows, one chunk per row (see `_copied_blocks`)."""
    for block in _copied_blocks(cursor, COPY_BLOCK):
        yield from block


COPY_BLOCK = 1000  # rows a block: big enough for C loops over it, small enough for the caches


def _copied_blocks(cursor: Any, size: int) -> Iterator[list[memoryview]]:
    """A running COPY's rows in lists of `size`, read straight from libpq.

    psycopg's own iteration costs a generator and its wait loop per row (~5 µs under load),
    more than everything else the CSV path does with the row; and a generator of our own
    per row, fed through islice, still cost 2.0-2.4 s of CPU per 1,000,000 rows where this
    loop costs 1.4-1.5 s. libpq is asked not to block: a blocking PQgetCopyData waits for
    the server holding the GIL (psycopg's binding keeps it), which stalls the XLSX writer's
    deflate thread for as long; the wait is a poll() instead, which lets it go. If the
    reader stops early, psycopg's `copy` block cancels the COPY as usual.
    """
    pgconn = cursor.connection.pgconn
    read, consume = pgconn.get_copy_data, pgconn.consume_input
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN)
    block: list[memoryview] = []
    append = block.append
    while True:
        nbytes, data = read(1)
        if nbytes > 0:
            append(data)
            if len(block) == size:
                yield block
                block = []
                append = block.append
        elif nbytes == 0:  # no whole row buffered yet: wait for the server, then take it in
            poller.poll()
            consume()
        else:
            break
    if nbytes == -2:
        raise psycopg.OperationalError(pgconn.get_error_message())
    result = pgconn.get_result()  # the COPY's own outcome: an error raised by the server
    while pgconn.get_result() is not None:
        pass
    if result is not None and result.status != psycopg.pq.ExecStatus.COMMAND_OK:
        raise psycopg.errors.error_from_result(result, encoding=cursor.connection.info.encoding)
    if block:
        yield block


def _parsed(copy: Iterable[memoryview], width: int) -> Iterator[list[str | None]]:
    for chunk in copy:
        line = bytes(chunk).decode()[:-1]
        if "\\" in line:
            yield [_unescape(field) for field in line.split("\t")]
        else:
            yield line.split("\t")


_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))")
_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unescape(field: str) -> str | None:
    """One field of COPY's text format: \\N is NULL; backslash sequences as in the docs."""
    if field == "\\N":
        return None
    if "\\" not in field:
        return field

    def one(match: re.Match[str]) -> str:
        octal, hexa, char = match.groups()
        if octal:
            return chr(int(octal, 8))
        if hexa:
            return chr(int(hexa, 16))
        return _SIMPLE.get(char, char)

    return _ESCAPE.sub(one, field)


def count(row_query: RowQuery, *, cap: int | None = None) -> int:
    """How many rows; with `cap`, counting stops at cap + 1 (enough to choose a path)."""
    qs = row_query.queryset.order_by()
    if cap is not None:
        qs = qs[: cap + 1]
    return qs.count()
