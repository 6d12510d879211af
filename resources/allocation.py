"""Taking units of capacity and stock without ever giving out more than there is.

Every writer of a service's usage or a goods resource's stock first locks the resource rows
it touches, `SELECT … FOR UPDATE` in id order (`hold`), then reads what is left and writes
(`take`, `give_back`). The lock makes two workers allocating at once see each other's units;
the id order means two batches over overlapping resources wait for each other instead of
deadlocking. The CHECK constraints (stock ≥ 0, used ≥ 0) are a last guard, not the mechanism.

These run inside the caller's transaction (a matching service); they write no audit event of
their own, since the referral or run that needs the units is what the audit trail records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.pgarrays import date_array, int_array, text_array
from resources.models import Resource, ResourceUsage, StockMovement
from resources.periods import period_start

_RESOURCE = Resource._meta.db_table
_USAGE = ResourceUsage._meta.db_table
_MOVEMENT = StockMovement._meta.db_table
# The head of every bulk write of stock ledger rows; the SELECT after it gives, in order:
# resource_id, kind, quantity, referral_id, actor_id, note (`record_movements`, and the
# batch run's issues written from its referral insert in the same statement).
MOVEMENT_INSERT = (
    f"INSERT INTO {_MOVEMENT} (created_at, updated_at, supplier, resource_id, kind, "
    "quantity, referral_id, actor_id, note) SELECT now(), now(), '', "
)


@dataclass
class Held:
    """A resource row locked by this transaction, with what it has left for `period`."""

    id: int
    kind: str
    provider_id: int
    capacity: int | None
    stock: int | None
    period: dt.date | None
    remaining: int | None  # None: a policy, no limit

    def fits(self, quantity: int) -> bool:
        return self.remaining is None or quantity <= self.remaining


def hold(resource_ids: Iterable[int], *, day: dt.date) -> dict[int, Held]:
    """Lock the resources in id order and read what each has left on `day`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("hold() must run inside a transaction")
    ids = sorted(set(resource_ids))
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, kind, period, capacity, stock, provider_id FROM {_RESOURCE} "  # noqa: S608
            "WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE",
            [int_array(ids)],
        )
        rows = cursor.fetchall()
        periods = {rid: period_start(period, day) for rid, kind, period, *_ in rows}
        cursor.execute(
            f"SELECT resource_id, period_start, used FROM {_USAGE} "  # noqa: S608
            "WHERE resource_id = ANY(%s::bigint[]) AND period_start = ANY(%s::date[])",
            [int_array(ids), date_array(sorted(set(periods.values())))],
        )
        used = {(rid, start): n for rid, start, n in cursor.fetchall()}
    held = {}
    for rid, kind, _period, capacity, stock, provider_id in rows:
        start = periods[rid]
        if kind == Resource.Kind.SERVICE:
            remaining = max(0, (capacity or 0) - used.get((rid, start), 0))
        elif kind == Resource.Kind.GOODS:
            remaining = stock or 0
        else:
            remaining = None
        held[rid] = Held(
            rid,
            kind,
            provider_id,
            capacity,
            stock,
            start if kind == Resource.Kind.SERVICE else None,
            remaining,
        )
    return held


def take(held: dict[int, Held], takes: Iterable[tuple[int, int]]) -> None:
    """Use `quantity` units of each (resource id, quantity); all must fit what is held."""
    wanted: dict[int, int] = defaultdict(int)
    for rid, quantity in takes:
        wanted[rid] += quantity
    for rid, quantity in wanted.items():
        if not held[rid].fits(quantity):
            raise ApplicationError(_("资源名额或库存不足。"))
    services = [(rid, n) for rid, n in wanted.items() if held[rid].kind == Resource.Kind.SERVICE]
    goods = [(rid, n) for rid, n in wanted.items() if held[rid].kind == Resource.Kind.GOODS]
    with connection.cursor() as cursor:
        if services:
            cursor.execute(
                f"INSERT INTO {_USAGE} (resource_id, period_start, used) "  # noqa: S608
                "SELECT * FROM unnest(%s::bigint[], %s::date[], %s::int[]) "
                "ON CONFLICT (resource_id, period_start) "
                f"DO UPDATE SET used = {_USAGE}.used + EXCLUDED.used",
                [
                    int_array([rid for rid, _n in services]),
                    date_array([held[rid].period for rid, _n in services]),
                    int_array([n for _rid, n in services]),
                ],
            )
        if goods:
            cursor.execute(
                f"UPDATE {_RESOURCE} r SET stock = r.stock - v.n "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::int[]) AS v(id, n) WHERE r.id = v.id",
                [int_array([rid for rid, _n in goods]), int_array([n for _rid, n in goods])],
            )
    for rid, quantity in wanted.items():
        if held[rid].remaining is not None:
            held[rid].remaining -= quantity


def give_back(*, resource_id: int, quantity: int, period: dt.date | None) -> None:
    """Return units a referral took and did not use: to its period's capacity, or to stock."""
    if quantity <= 0:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kind FROM {_RESOURCE} WHERE id = %s FOR UPDATE",  # noqa: S608
            [resource_id],
        )
        (kind,) = cursor.fetchone()
        if kind == Resource.Kind.SERVICE and period is not None:
            cursor.execute(
                f"UPDATE {_USAGE} SET used = GREATEST(0, used - %s) "  # noqa: S608
                "WHERE resource_id = %s AND period_start = %s",
                [quantity, resource_id, period],
            )
        elif kind == Resource.Kind.GOODS:
            cursor.execute(
                f"UPDATE {_RESOURCE} SET stock = stock + %s WHERE id = %s",  # noqa: S608
                [quantity, resource_id],
            )


def record_movements(
    rows: Iterable[tuple[int, str, int, int | None]], *, actor_id: int | None, note: str = ""
) -> int:
    """Write stock ledger rows (resource id, kind, quantity, referral id) in one statement."""
    rows = list(rows)
    if not rows:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            MOVEMENT_INSERT + "v.resource_id, v.kind, v.quantity, v.referral_id, %s, %s "
            "FROM unnest(%s::bigint[], %s::varchar[], %s::int[], %s::bigint[]) "
            "AS v(resource_id, kind, quantity, referral_id)",
            [
                actor_id,
                note,
                int_array([r[0] for r in rows]),
                text_array([r[1] for r in rows]),
                int_array([r[2] for r in rows]),
                int_array([r[3] for r in rows]),
            ],
        )
    return len(rows)
