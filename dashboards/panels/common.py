"""Shared pieces of the dashboard panels: the chosen area and its children, the raw-SQL
reader on the replica, the cache in front of the GROUP BYs, and drill-down links."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db import connections, router
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from access.scope import like as like_pattern
from config.db_router import reading_from_replica
from households.models import PREFIX_LENGTH, Area, Category, Household, User
from households.selectors import area_qs_visible_to, category_list

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser | None

CHILD_LEVEL = {"district": "street", "street": "community", "community": "grid"}
DIRECT = ""  # the key of rows registered directly in the area, not in one of its children


# ---- the area and its children ----------------------------------------------------------


@dataclass(frozen=True)
class AreaRef:
    code: str
    name: str
    prefix: str


@dataclass
class Scope:
    """The chosen area, its children, and how a household's code maps to a child."""

    area: Area
    children: list[AreaRef]
    child_length: int  # characters of a code that name the child (0: no children)
    choices: list[Area] = field(default_factory=list)  # areas the actor may switch to

    @property
    def like(self) -> str:
        return like_pattern(self.area.prefix)

    def child_of(self, key: str) -> AreaRef | None:
        return self._by_prefix.get(key)

    def __post_init__(self) -> None:
        self._by_prefix = {child.prefix: child for child in self.children}


def dashboard_area(*, actor: Actor, code: str | None = None) -> Scope:
    """The area to show (the actor's own by default), its children and the areas the actor
    may switch to, in one query; 404 when the area is out of scope or the role reads none."""
    if not can(actor, Can.VIEW_DASHBOARD) or actor.area_id is None:
        raise Http404
    code = code or actor.area.code
    found = list(
        area_qs_visible_to(actor=actor)
        .filter(~Q(level=Area.Level.GRID) | Q(code=code) | Q(parent__code=code))
        .order_by("code")
    )
    area = next((a for a in found if a.code == code), None)
    if area is None:
        raise Http404
    level = CHILD_LEVEL.get(area.level)
    children = [AreaRef(a.code, a.name, a.prefix) for a in found if a.parent_id == area.pk]
    return Scope(
        area=area,
        children=children if level else [],
        child_length=PREFIX_LENGTH[level] if level else 0,
        choices=[a for a in found if a.level != Area.Level.GRID],
    )


def cached_categories() -> list[Category]:
    """The five categories (reference data), kept for a few minutes per process."""
    now = time.monotonic()
    if _category_cache and now - _category_cache[0] < 300:
        return _category_cache[1]
    _category_cache[:] = [now, list(category_list())]
    return _category_cache[1]


_category_cache: list[Any] = []


def fetch_rows(sql: str, params: dict[str, Any]) -> list[tuple]:
    with reading_from_replica():
        alias = router.db_for_read(Household)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


# ---- the cache in front of the GROUP BYs ----------------------------------------------------
# A panel's numbers change only when its rows change or the day does. Each panel names a
# cheap "version" query (the newest history event, the newest row, an open count) read on
# every request; the GROUP BY's rows are cached under the area, the day and that version,
# so a page after any write recomputes them and every other page is a cache read. The TTL
# bounds staleness from writes a version cannot see (a bulk UPDATE that keeps every count).
CACHE_SECONDS = 600
CACHE_ENABLED = True  # the benchmark turns it off to time the GROUP BYs cold
REGISTRY_VERSION = (
    "(SELECT max(pgh_id) FROM households_enrolmentevent), "
    "(SELECT max(pgh_id) FROM households_householdevent), "
    "(SELECT max(id) FROM households_enrolment_members)"
)
HOUSEHOLD_VERSION = "(SELECT max(pgh_id) FROM households_householdevent)"


def cached_rows(
    panel: str, version_sql: str, key: tuple[Any, ...], queries: list[tuple[str, dict[str, Any]]]
) -> list[list[tuple]]:
    from django.core.cache import cache

    from core import cache as shared

    version = fetch_rows(f"SELECT {version_sql}", {})[0]
    raw = ":".join(str(part) for part in (*key, *version))
    cache_key = f"dashboard:{panel}:{hashlib.sha256(raw.encode()).hexdigest()}"
    # Through core.cache: with Redis down the panel is computed, not a 500.
    found = shared.call(cache.get, cache_key) if CACHE_ENABLED else None
    if found is None:
        found = [fetch_rows(sql, params) for sql, params in queries]
        shared.call(cache.set, cache_key, found, CACHE_SECONDS)
    return found


def child_sql(column: str, scope: Scope) -> str:
    """SQL naming a row's child area (its code cut to the child's length), '' if direct."""
    if not scope.child_length:
        return "''"
    n = scope.child_length
    return f"CASE WHEN length({column}) >= {n} THEN substr({column}, 1, {n}) ELSE '' END"


def link(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def ledger_link(ledger: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse('ledgers:rows', args=[ledger])}?{query}"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def area_rows(scope: Scope, by_key: dict[str, Any]) -> list[Any]:
    """The children in code order (named, keyed by their code), then rows in no child."""
    rows = []
    for child in scope.children:
        counts = by_key.get(child.prefix)
        if counts is not None:
            counts.key, counts.name = child.code, child.name
            rows.append(counts)
    direct = by_key.get(DIRECT)
    if direct is not None and scope.children:
        direct.key, direct.name = scope.area.code, _("（直属）")
        rows.append(direct)
    return rows
