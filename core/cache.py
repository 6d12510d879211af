"""The shared cache (Redis), read and written so that a Redis outage degrades, never fails.

Django's RedisCache raises when Redis refuses connections or does not answer. Our callers use
the cache as an optimisation (the dashboard's cached GROUP BYs) or as a best-effort counter
(the help form's rate limit), so through `call()` a failure reads as "no cache": the default
comes back and the caller does the work itself. After one failure the cache is left alone
for RETRY_AFTER seconds, so a hung Redis costs each web process one socket timeout
(CACHES' OPTIONS in base.py) now and then, not one per call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER = 15.0  # seconds
T = TypeVar("T")

_skip_until = 0.0


def call(operation: Callable[..., T], *args: Any, default: Any = None, **kwargs: Any) -> T | Any:
    """`operation(*args, **kwargs)` on the cache, or `default` while Redis is unavailable."""
    global _skip_until
    if time.monotonic() < _skip_until:
        return default
    try:
        return operation(*args, **kwargs)
    except RedisError as error:
        _skip_until = time.monotonic() + RETRY_AFTER
        logger.warning("cache unavailable, going without it for %.0f s: %s", RETRY_AFTER, error)
        return default


def reset() -> None:
    """Use the cache again at once (tests, after they bring their Redis back)."""
    global _skip_until
    _skip_until = 0.0
