"""Rate limits for the public help form, counted in the shared cache (Redis).

Fixed windows: a key counts the requests since it was first set and expires with its window,
so limits hold across web processes and restarts of any one of them.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

PER_IP = (5, 60 * 60)  # 5 requests an hour from one address
PER_PHONE = (3, 24 * 60 * 60)  # 3 requests a day for one phone number


def _key(kind: str, value: str) -> str:
    # Hashed, so the cache never holds a phone number or an address in clear.
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"zhulian:help:{kind}:{digest}"


def hit(kind: str, value: str, limit: tuple[int, int]) -> bool:
    """Count one request; whether it is still within the limit."""
    allowed, window = limit
    key = _key(kind, value)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= allowed


def over(kind: str, value: str, limit: tuple[int, int]) -> bool:
    """Whether the limit is already used up, without counting."""
    return (cache.get(_key(kind, value)) or 0) >= limit[0]
