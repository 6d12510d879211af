"""Send dashboard and export reads to the read replica, everything else to the primary.

Reads go to the replica only inside `with reading_from_replica():`, which dashboards and
export jobs open around their queries; a request that writes never sees stale data by
accident, and without DATABASE_REPLICA_URL the "replica" alias is the primary itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

_use_replica: ContextVar[bool] = ContextVar("zhulian_use_replica", default=False)


@contextlib.contextmanager
def reading_from_replica() -> Iterator[None]:
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model: type, **hints: Any) -> str:
        return "replica" if _use_replica.get() else "default"

    def db_for_write(self, model: type, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"
