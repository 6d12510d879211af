"""Rate limits for the public help form, counted in the shared cache (Redis).

Fixed windows: a key counts the requests since it was first set and expires with its window,
so limits hold across web processes and restarts of any one of them.

When Redis is down the form stays open (fails open), deliberately: it is how a resident in
hardship reaches the community, and a request refused for an outage of ours may not be made
again. The count then falls back to each web process's own memory, so a flood is still cut
off, at the same limits per process instead of per site, until Redis is back.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

from core import cache as shared

PER_IP = (5, 60 * 60)  # 5 requests an hour from one address
PER_PHONE = (3, 24 * 60 * 60)  # 3 requests a day for one phone number

# This process's counts, used only while the shared cache is unavailable.
_local = LocMemCache("zhulian-help-throttle", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
_UNAVAILABLE = object()


def _key(kind: str, value: str) -> str:
    # Hashed, so the cache never holds a phone number or an address in clear.
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"zhulian:help:{kind}:{digest}"


def _count(store: BaseCache, key: str, window: int) -> int:
    store.add(key, 0, timeout=window)
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=window)
        return 1


def hit(kind: str, value: str, limit: tuple[int, int]) -> bool:
    """Count one request; whether it is still within the limit."""
    allowed, window = limit
    key = _key(kind, value)
    count = shared.call(_count, cache, key, window)
    if count is None:  # Redis unavailable
        count = _count(_local, key, window)
    return count <= allowed


def over(kind: str, value: str, limit: tuple[int, int]) -> bool:
    """Whether the limit is already used up, without counting."""
    key = _key(kind, value)
    count = shared.call(cache.get, key, default=_UNAVAILABLE)
    if count is _UNAVAILABLE:
        count = _local.get(key)
    return (count or 0) >= limit[0]
