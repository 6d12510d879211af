"""Set-based inserts by COPY, for imports: ids are taken from the table's own sequence first.

Taking the ids up front lets rows that point at each other go in by COPY in any order (a
household naming its head, members naming their household): Django creates foreign keys
DEFERRABLE INITIALLY DEFERRED, so they are checked at commit. COPY fires the tables' row
triggers, so django-pghistory records every row as for any insert. Rows are plain dicts of
attribute names; a field left out gets what Model.save() would give it (its default, a fresh
UUID, now() for auto_now/auto_now_add), without building a model instance per row.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pghistory
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router
from django.db.models import DateField, Field, Model
from django.utils import timezone

_MISSING = object()


@contextlib.contextmanager
def bulk_history(**metadata: Any) -> Iterator[None]:
    """A pghistory context around set-based writes, attached explicitly for COPY.

    pghistory attaches its context by prefixing each INSERT/UPDATE/DELETE that Django runs;
    a COPY goes round that, so the context's settings are set here for the transaction. Its
    metadata (merged into a request's own context, if any) then names the import on every
    history row. (The settings being present also keeps the history triggers linear on bulk
    writes; config/services.py sets connection defaults for the same reason.)
    """
    with pghistory.context(**metadata) as context:
        alias = router.db_for_write(Model)
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pghistory.context_id', %s, true), "
                "set_config('pghistory.context_metadata', %s, true), "
                "set_config('pgtrigger.ignore', '{}', true)",
                [str(context.id), json.dumps(context.metadata, cls=DjangoJSONEncoder)],
            )
        yield


def allocate_ids(model: type[Model], n: int) -> list[int]:
    """`n` fresh primary keys from the table's sequence (identity or serial)."""
    if n == 0:
        return []
    alias = router.db_for_write(model)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, n],
        )
        return [row[0] for row in cursor.fetchall()]


def _filler(field: Field, now: Any) -> Callable[[], Any] | Any:
    """What a field left out of a row gets: a callable (per row) or a constant."""
    if isinstance(field, DateField) and (field.auto_now or field.auto_now_add):
        return now
    if field.has_default() and callable(field.default):
        return field.default
    if field.has_default() or field.null or field.empty_strings_allowed:
        return field.get_default()  # the default, None, or "" for a text field
    return _MISSING


def copy_insert(model: type[Model], rows: Iterable[dict[str, Any]], *, with_pk: bool = True) -> int:
    """Insert `rows` (dicts by attname) with one COPY; with_pk: each row carries its pk."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    now = timezone.now()
    plan = [(f.attname, _filler(f, now)) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    n = 0
    with connection.cursor() as cursor:  # noqa: SIM117
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = []
                for name, filler in plan:
                    value = row.get(name, _MISSING)
                    if value is _MISSING:
                        value = filler() if callable(filler) else filler
                        if value is _MISSING:
                            raise ValueError(f"{model.__name__}.{name} needs a value")
                    values.append(value)
                copy.write_row(values)
                n += 1
    return n
