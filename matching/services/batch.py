"""The batch run: match every open need of an area at once, never past any resource's units."""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg
from django.db import connection, transaction
from django.utils import timezone

from core.audit import audit
from core.ids import uuid7_block
from core.pgarrays import date_array, int_array
from matching import engine
from matching.candidates import open_needs_in, resources_for_area
from matching.models import MatchRun, Need, Referral
from matching.services._common import require_area_in_scope, require_worker
from resources import allocation
from resources.models import Resource, StockMovement

if TYPE_CHECKING:
    from households.models import Area, User

_NEED = Need._meta.db_table
_REFERRAL = Referral._meta.db_table
_RESOURCE = Resource._meta.db_table
# The advisory lock key of batch runs' writes ("match" in ASCII).
_RUN_LOCK = 0x6D61746368


def match_run(*, actor: User | None, area: Area, today: dt.date | None = None) -> MatchRun:
    """Propose a referral for every open need under `area` that some resource can serve.

    Deliberately not one long transaction. Reading and computing (seconds at most for a
    district) take no locks, so workers keep working meanwhile; the write at the end is one
    short transaction that waits for any other run's write, locks the needs (claiming those
    still open), then the resources in id order, and re-checks both: a need someone matched
    meanwhile, or units someone took, are left out and counted as `lost_to_others`. Nothing
    is ever given out past what is left.
    """
    require_worker(actor)
    require_area_in_scope(actor, area)
    with _gc_paused():
        return _match_run(actor=actor, area=area, today=today)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile (reference counting still frees everything).

    The run makes a few hundred thousand small objects (needs, resources, buckets, tuples);
    each allocation threshold passed starts a collection that walks every object alive in
    the process, the run's and the worker's own. None of the run's objects form cycles.
    Read, score and allocate at 50,000 × 10,000 in a process holding as much again:
    0.94-1.68 s paused, 1.71-2.93 s not (load 5).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def plan(prefix: str, *, day: dt.date) -> tuple[list[engine.NeedIn], list[engine.Assignment]]:
    """A run's reading and allocation, no writes: the open needs under `prefix` and what
    each is assigned. Reads in one transaction that takes no locks (only the setting), with
    cyclic GC paused as for the whole run."""
    with _gc_paused():
        with transaction.atomic():
            _without_jit()
            needs = open_needs_in(prefix, today=day)
            resources = resources_for_area(prefix, today=day)
        return needs, engine.allocate(needs, resources)


def _match_run(*, actor: User | None, area: Area, today: dt.date | None) -> MatchRun:
    started = time.perf_counter()
    day = today or timezone.localdate()
    needs, assignments = plan(area.prefix, day=day)
    with transaction.atomic():
        _without_jit()
        _transition_tables_in_memory()
        run = MatchRun.objects.create(area=area, started_by=actor, needs_considered=len(needs))
        made, lost = _persist(run, assignments, actor=actor, day=day)
        run.referrals_made, run.lost_to_others = made, lost
        run.unmatched = len(needs) - made
        run.duration_ms = round((time.perf_counter() - started) * 1000)
        run.save(update_fields=["referrals_made", "lost_to_others", "unmatched", "duration_ms"])
        audit(
            actor=actor,
            verb="match.run",
            obj=run,
            changes={"area": area.code, "needs": len(needs), "referrals": made, "lost": lost},
        )
    return run


def _without_jit() -> None:
    """No JIT compilation for the rest of this transaction.

    The run's statements read or write tens of thousands of rows once, so their estimated
    cost passes PostgreSQL's JIT threshold, and compiling them costs more than it saves:
    the open needs of a district read in 0.43-0.49 s without JIT, 0.62-0.71 s with it
    (psql, load 5).
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")


def _transition_tables_in_memory() -> None:
    """Room in memory, for this transaction, for what the statement-level triggers read.

    The history and reference triggers read each statement's rows from its transition
    tables (old and new rows of 48,000 needs, new rows of 48,000 referrals: 10–20 MB each),
    which spill to temporary files past `work_mem` (4 MB by default). One backend, once.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")


def _persist(
    run: MatchRun,
    assignments: list[engine.Assignment],
    *,
    actor: User | None,
    day: dt.date,
) -> tuple[int, int]:
    _one_run_writes_at_a_time()
    claimed = _claim_open_needs([a.need_id for a in assignments])
    held = allocation.hold({a.resource_id for a in assignments if a.need_id in claimed}, day=day)
    left = {rid: h.remaining for rid, h in held.items()}
    kept, released = [], []
    for a in assignments:
        if a.need_id not in claimed:
            continue
        units = left[a.resource_id]
        if units is not None and units < a.quantity:
            released.append(a.need_id)  # someone took the units meanwhile
            continue
        if units is not None:
            left[a.resource_id] = units - a.quantity
        kept.append(a)
    _reopen(released)
    # Units first, while the transaction holds few pending foreign-key checks: the stock
    # update fires the pool's history trigger once per resource, and every statement such a
    # trigger runs would otherwise wade through the checks the referral insert queued.
    allocation.take(held, [(a.resource_id, a.quantity) for a in kept])
    if kept:
        _insert_referrals_and_issues(run, kept, held, claimed, actor=actor)
    return len(kept), len(assignments) - len(kept)


def _one_run_writes_at_a_time() -> None:
    """Wait for any other batch run's write transaction to end (a transaction-level lock).

    Two runs over overlapping areas claim the same needs; each claims them in one UPDATE, in
    whatever order the rows come, so two at once could deadlock. Runs are rare and their
    write takes about a second: one after the other costs nothing that matters.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RUN_LOCK])


def _bulk_cursor() -> psycopg.Cursor:
    """A cursor that sends parameters apart from the statement (server-side binding).

    Django renders parameters into the SQL text (client-side binding); for arrays of tens of
    thousands of ids that rendering costs more than the statement itself. Same connection,
    same transaction.
    """
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def _claim_open_needs(ids: list[int]) -> dict[int, int]:
    """Mark the needs matched; only those still open are claimed (a worker or another run may
    have matched some meanwhile). Returns each claimed need's household.

    One UPDATE that locks each row as it changes it. Locking them first in id order
    (`SELECT … ORDER BY id FOR UPDATE`, then the UPDATE) wrote every row twice: 0.95 s
    against 0.77 s for 48,000 needs (median of 4, load 2.4). Id order kept two runs from
    deadlocking on each other's needs; `_one_run_writes_at_a_time` does that now. A worker
    locks one need at a time, so it cannot deadlock with a run in any order.
    """
    with _bulk_cursor() as cursor:
        cursor.execute(
            f"UPDATE {_NEED} SET status = 'matched', version = version + 1, "  # noqa: S608
            "updated_at = now() WHERE id = ANY(%s::bigint[]) AND status = 'open' "
            "RETURNING id, household_id",
            [int_array(ids)],
        )
        return dict(cursor.fetchall())


def _reopen(ids: list[int]) -> None:
    if not ids:
        return
    with _bulk_cursor() as cursor:
        cursor.execute(
            f"UPDATE {_NEED} SET status = 'open', version = version + 1, "  # noqa: S608
            "updated_at = now() WHERE id = ANY(%s::bigint[])",
            [int_array(ids)],
        )


def _insert_referrals_and_issues(
    run: MatchRun,
    kept: list[engine.Assignment],
    held: dict[int, allocation.Held],
    households: dict[int, int],
    *,
    actor: User | None,
) -> None:
    """One statement: every referral of the run (INSERT … SELECT FROM unnest), and the stock
    ledger's issue for each referral of goods (the same rows as `record_movements` writes)
    from the referrals it made.

    The issues come from the insert's RETURNING inside the statement: sent back to Python,
    52,000 (id, resource, quantity) rows to pick 17,000 goods issues from and send again
    cost 0.2 s of the run's Python time. Both tables' statement-level history triggers fire
    at the end of the statement and see all its rows; their foreign keys are checked at
    commit (deferred), so an issue may name a referral made by the same statement.

    Their UUIDs are time-ordered and numbered in order (`uuid7_block`): random ones land on
    a different page of the unique index each, which costs more as the table grows past
    what stays cached (with the bench's table still small the two measured alike, ±30%).
    The household and the provider come with the rows, from the claim's RETURNING and the
    resources' lock (`hold`): joining the needs and resources again to copy them cost a
    scan and a hash of each table.

    A run's referrals keep their score but not each reason: tens of thousands of reason
    lists would cost the run more than the matching. The referral page works them out
    again from the need and the resource (`referral_reasons`).
    """
    goods = sorted(rid for rid, h in held.items() if h.kind == Resource.Kind.GOODS)
    actor_id = actor.pk if actor else None
    with _bulk_cursor() as cursor:
        cursor.execute(
            f"""
            WITH made AS (
                INSERT INTO {_REFERRAL} (
                    uuid, created_at, updated_at, need_id, resource_id, provider_id,
                    household_id, status, quantity, period_start, score, reasons, note,
                    match_run_id, proposed_by_id, proposed_at, decline_reason, delivery_note,
                    outcome, confirm_note, close_reason, version)
                SELECT (%s::text || lpad(to_hex(%s::bigint + v.k), 12, '0'))::uuid, now(),
                       now(), v.need_id, v.resource_id, v.provider_id, v.household_id,
                       'proposed', v.quantity, v.period, v.score, '[]'::jsonb,
                       '', %s, %s, now(), '', '', '', '', '', 1
                FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[],
                            %s::int[], %s::date[], %s::int[])
                     WITH ORDINALITY AS v(need_id, resource_id, provider_id, household_id,
                                          quantity, period, score, k)
                RETURNING id, resource_id, quantity
            )
            {allocation.MOVEMENT_INSERT}
                made.resource_id, %s, made.quantity, made.id, %s, ''
            FROM made WHERE made.resource_id = ANY(%s::bigint[])
            """,  # noqa: S608
            [
                *uuid7_block(),
                run.pk,
                actor_id,
                int_array([a.need_id for a in kept]),
                int_array([a.resource_id for a in kept]),
                int_array([held[a.resource_id].provider_id for a in kept]),
                int_array([households[a.need_id] for a in kept]),
                int_array([a.quantity for a in kept]),
                date_array([held[a.resource_id].period for a in kept]),
                int_array([a.score for a in kept]),
                StockMovement.Kind.GIVEN.value,
                actor_id,
                int_array(goods),
            ],
        )
