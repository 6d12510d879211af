"""Keyset pagination for list pages: page 1,000 costs what page 1 costs (no OFFSET, no COUNT).

Rows are ordered by descending id (newest first), or ascending for queues read oldest
first (applications awaiting a decision). The cursor is the signed id of a page's edge row, so the
URL carries no bare sequential id and a forged cursor is simply ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db.models import QuerySet

_SALT = "zhulian.keyset"
COUNT_CAP = 10_000


@dataclass
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    total: int | None
    total_capped: bool
    extra: dict[str, Any] = field(default_factory=dict)


def encode_cursor(pk: int) -> str:
    return signing.dumps(pk, salt=_SALT, compress=False)


def _decode(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        value = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows, counting at most `cap` + 1 of them: (count, whether the cap was hit)."""
    n = qs.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


def keyset_page(
    qs: QuerySet,
    *,
    after: str | None = None,
    before: str | None = None,
    size: int = 25,
    count: bool = True,
    oldest_first: bool = False,
) -> KeysetPage:
    """One page of `qs` (any ordering is replaced by -id, or id with `oldest_first`) after or
    before a cursor.

    `count=False` skips the capped count, for searches where counting costs more than the
    page; the total is then known only when every row fits on this one page.
    """
    after_pk, before_pk = _decode(after), _decode(before)
    forward, backward = ("id", "-id") if oldest_first else ("-id", "id")
    beyond, behind = ("pk__gt", "pk__lt") if oldest_first else ("pk__lt", "pk__gt")
    if before_pk is not None:
        rows = list(qs.filter(**{behind: before_pk}).order_by(backward)[: size + 1])
        has_more_before = len(rows) > size
        items = list(reversed(rows[:size]))
        has_more_after = True
    else:
        base = qs.filter(**{beyond: after_pk}) if after_pk is not None else qs
        rows = list(base.order_by(forward)[: size + 1])
        items = rows[:size]
        has_more_after = len(rows) > size
        has_more_before = after_pk is not None
    if count:
        total, capped = capped_count(qs)
    elif after_pk is None and before_pk is None and not has_more_after:
        total, capped = len(items), False
    else:
        total, capped = None, False
    return KeysetPage(
        items=items,
        next_cursor=encode_cursor(items[-1].pk) if items and has_more_after else None,
        prev_cursor=encode_cursor(items[0].pk) if items and has_more_before else None,
        total=total,
        total_capped=capped,
    )
