"""Loading generated rows with PostgreSQL COPY, on the Django connection's psycopg handle.

Ids come from each table's own sequence: a block large enough for the whole run is taken
first (under a table lock, so nobody else takes ids meanwhile), and the sequence is set back
to the last id used at the end. So rows can point at each other (a household at its head, a
member at its household) before either is written; the foreign keys are DEFERRABLE INITIALLY
DEFERRED, and are checked at the end with SET CONSTRAINTS ALL IMMEDIATE rather than at commit,
so a broken plan fails here, inside the caller's transaction.

The rows are made in chunks by a background thread while this one copies the previous chunk:
most of a COPY's time is the server's (indexes, history triggers), and the thread fills it.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from psycopg import sql

from households.models import Enrolment, Household, Member

if TYPE_CHECKING:
    from psycopg import Cursor

    from demo.generate import Plan, Table

MODELS: dict[str, type[models.Model]] = {
    "household": Household,
    "member": Member,
    "enrolment": Enrolment,
    "link": Enrolment.members.through,
}
_SETTINGS = ("pghistory.context_id", "pghistory.context_metadata", "pgtrigger.ignore")


def load(chunks: Iterable[Plan], *, most: dict[str, int], context: dict[str, Any]) -> Counter[str]:
    """COPY every chunk; return the chunks' counts added up. Run inside transaction.atomic().

    `most` bounds the rows per table. The registry's history triggers (django-pghistory)
    record every row as usual, under a history context carrying `context`.
    """
    connection.ensure_connection()
    counts: Counter[str] = Counter()
    used = dict.fromkeys(MODELS, 0)
    with connection.connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(
                sql.SQL(", ").join(sql.Identifier(m._meta.db_table) for m in MODELS.values())
            )
        )
        bases = {name: _reserve(cursor, MODELS[name], most[name]) for name in MODELS}
        saved = _set_history_context(cursor, context)
        for plan in _in_background(chunks):
            for table in plan.tables:
                _copy(cursor, table, bases)
                used[table.name] += len(table.rows)
            counts.update(plan.counts)
        for name, model in MODELS.items():
            _give_back(cursor, model, bases[name], used[name])
        _restore_settings(cursor, saved)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return counts


def analyze() -> None:
    with connection.cursor() as cursor:
        for model in MODELS.values():
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# ---- ids -------------------------------------------------------------------------------


def _sequence(cursor: Cursor, model: type[models.Model]) -> str:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
    row = cursor.fetchone()
    if row is None or row[0] is None:
        raise RuntimeError(f"{model._meta.db_table}.id has no sequence")
    return str(row[0])


def _reserve(cursor: Cursor, model: type[models.Model], count: int) -> int:
    """Take `count` consecutive ids from the table's sequence; return the first."""
    sequence = _sequence(cursor, model)
    cursor.execute("SELECT nextval(%s)", [sequence])
    (first,) = cursor.fetchone() or (1,)
    if count > 1:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return int(first)


def _give_back(cursor: Cursor, model: type[models.Model], first: int, used: int) -> None:
    """Set the sequence back so the next id follows the last one used."""
    sequence = _sequence(cursor, model)
    if used:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + used - 1])
    else:
        cursor.execute("SELECT setval(%s, %s, false)", [sequence, first])


# ---- COPY ------------------------------------------------------------------------------


def _copy(cursor: Cursor, table: Table, bases: dict[str, int]) -> None:
    if not table.rows:
        return
    model = MODELS[table.name]
    extra = _defaults_for_other_columns(model, table.columns)
    columns = [*table.columns, *extra]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cursor.copy(statement) as copy:
        for row in _rebased(table, bases, tuple(extra.values())):
            copy.write_row(row)


def _rebased(table: Table, bases: dict[str, int], extra: tuple[Any, ...]) -> Iterator[list[Any]]:
    """The rows with local ids turned into the reserved ones, and the extra defaults added."""
    offsets = [(index, bases[target]) for index, target in table.refs]
    for row in table.rows:
        values = list(row)
        for index, base in offsets:
            if values[index] is not None:
                values[index] += base
        values.extend(extra)
        yield values


def _defaults_for_other_columns(
    model: type[models.Model], produced: tuple[str, ...]
) -> dict[str, Any]:
    """Columns added to the model since the generator was written get their field default.

    A NOT NULL column without a default cannot be guessed: say so instead of failing in COPY.
    """
    extra: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.column in produced:
            continue
        value = field.get_default()
        if value is None and not field.null:
            raise RuntimeError(
                f"seed_demo does not fill {model._meta.label}.{field.name}, which has no default:"
                " add it to demo/generate.py"
            )
        extra[field.column] = field.get_db_prep_save(value, connection)
    return extra


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_DONE = object()


def _in_background(chunks: Iterable[Plan], depth: int = 2) -> Iterator[Plan]:
    """Iterate `chunks` in a thread (pure Python, no database), `depth` chunks ahead."""
    handoff: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand_over(item: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not hand_over(chunk):
                    return
            hand_over(_DONE)
        except BaseException as error:  # handed over and raised in the consuming thread
            hand_over(_Failed(error))

    worker = threading.Thread(target=produce, name="seed-demo-generate", daemon=True)
    worker.start()
    try:
        while (item := handoff.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        worker.join()


# ---- history context -------------------------------------------------------------------


def _set_history_context(cursor: Cursor, metadata: dict[str, Any]) -> dict[str, str | None]:
    """Set, for this transaction, the settings the history triggers read on every row.

    The triggers read them inside BEGIN … EXCEPTION blocks. When a setting is missing, each
    row's block aborts a subtransaction, and PostgreSQL then scans the statement's whole
    queue of pending AFTER-trigger events: a COPY of n rows costs O(n²) (300,000 members:
    many minutes). With the settings present no block aborts, and the cost is linear.
    Returns the values they had, for `_restore_settings`.
    """
    cursor.execute("SELECT " + ", ".join("current_setting(%s, true)" for _ in _SETTINGS), _SETTINGS)
    saved = dict(zip(_SETTINGS, cursor.fetchone() or (), strict=True))
    cursor.execute(
        "SELECT set_config('pghistory.context_id', %s, true),"
        " set_config('pghistory.context_metadata', %s, true),"
        " set_config('pgtrigger.ignore', '{}', true)",
        [str(uuid.uuid4()), json.dumps(metadata, ensure_ascii=False)],
    )
    return saved


def _restore_settings(cursor: Cursor, saved: dict[str, str | None]) -> None:
    """Put the caller's settings back (an empty value reads as unset to the triggers)."""
    for name, value in saved.items():
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value or ""])
