"""Fixtures of the ledger tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connections


@pytest.fixture(autouse=True)
def replica_is_default() -> Iterator[None]:
    """Point the "replica" alias at the default connection, inside the test's transaction.

    Dashboards and exports read inside `reading_from_replica()`. The replica is configured
    as a test mirror of the primary, but as a connection of its own it would not see the
    rows a test writes in its (rolled back) transaction; Django's docs describe a mirror as
    redirected to the primary, which is what this does for the duration of a test.
    """
    original = connections["replica"]
    connections["replica"] = connections["default"]
    yield
    connections["replica"] = original
