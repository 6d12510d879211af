"""References checked once per statement, for the tables batch jobs fill by the ten thousand.

A foreign-key constraint checks each inserted row with its own lookup, queued as one trigger
event per row and per constraint (even for a NULL). A batch run writing 46,000 referrals and
18,000 stock movements spent 1.2–1.7 s in those checks, more than the matching itself. The
triggers here give the same guarantee with one set-based statement per INSERT:

- `references_exist`, on the referring table, AFTER INSERT (statement level): one anti-join;
  any reference without its row fails the statement with SQLSTATE 23503
  (foreign_key_violation, an IntegrityError in Django).
- `still_referenced`, on the referenced table, AFTER DELETE (statement level): deleting a row
  that something still refers to fails the same way (Django's PROTECT refuses it first; this
  holds for raw SQL too).

Concurrency: a foreign key locks each referenced row FOR KEY SHARE, so that no one deletes it
before the inserter commits; 46,000 such locks cost a batch run over a second (each writes the
row). Deletes of needs, resources, campaigns and referrals are rare (the application makes
none), so the lock is taken on their side instead: the delete check first takes a SHARE lock
on the referring table, which waits for every transaction inserting into it to end, then
checks on a fresh snapshot (READ COMMITTED) that sees their rows. An inserter that comes
after waits for the deleter's lock, then its own check sees the row gone.
- The referring columns never change after insert (`references_fixed`).
"""

from __future__ import annotations

import pgtrigger


def _check(table: str, column: str) -> str:
    # Every distinct id the statement refers to, looked up by `id = ANY(array)`: an index or
    # hashed-array scan whatever the statistics say. (A join here could be planned as a
    # nested loop over a table whose statistics predate this very batch: 18,000 stock
    # movements against 46,000 fresh referrals took 28 s that way.)
    return f"""
        IF EXISTS (
            SELECT 1 FROM (SELECT array_agg(DISTINCT v.{column}) AS ids FROM new_values v
                           WHERE v.{column} IS NOT NULL) a
            WHERE a.ids IS NOT NULL
              AND cardinality(a.ids) <> (SELECT count(*) FROM {table} t WHERE t.id = ANY(a.ids))
        ) THEN
            RAISE EXCEPTION 'insert on table "%" violates its reference {column} → {table}',
                TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
        END IF;
    """  # noqa: S608 — table and column names come from model code, never from input


def references_exist(*, name: str, references: dict[str, str]) -> pgtrigger.Trigger:
    """AFTER INSERT, per statement: every `column` names a row of its `table` (id)."""
    body = "".join(_check(table, column) for column, table in references.items())
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Insert,
        referencing=pgtrigger.Referencing(new="new_values"),
        func=body + "RETURN NULL;",
    )


def references_fixed(*, name: str, fields: list[str]) -> pgtrigger.Trigger:
    """Refuse any UPDATE that changes one of the referring `fields` (checked on insert only)."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Update,
        condition=pgtrigger.AnyChange(*fields),
        func=(
            "RAISE EXCEPTION 'the references of a row of \"%\" do not change', TG_TABLE_NAME "
            "USING ERRCODE = 'foreign_key_violation';"
        ),
    )


def still_referenced(*, name: str, referrers: list[tuple[str, str]]) -> pgtrigger.Trigger:
    """AFTER DELETE, per statement: no (table, column) in `referrers` names a deleted row."""
    locks = "".join(
        f"LOCK TABLE {table} IN SHARE MODE;" for table in sorted({t for t, _c in referrers})
    )
    checks = "".join(
        f"""
        IF EXISTS (SELECT 1 FROM {table} r
                   WHERE r.{column} = ANY(ARRAY(SELECT o.id FROM old_values o))) THEN
            RAISE EXCEPTION 'delete on table "%" leaves {table}.{column} pointing nowhere',
                TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
        END IF;
        """  # noqa: S608 — table and column names come from model code
        for table, column in referrers
    )
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=pgtrigger.Delete,
        referencing=pgtrigger.Referencing(old="old_values"),
        func=locks + checks + "RETURN NULL;",
    )
