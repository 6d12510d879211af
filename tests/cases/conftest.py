"""Fixtures of case work on top of the shared area tree and personas (tests/conftest.py)."""

from __future__ import annotations

import pytest

from households.models import User
from tests import factories


@pytest.fixture
def far_staff(areas):
    """Street staff of the other street: sees none of the caseworker's households."""
    return factories.user("far_staff", role=User.Role.STREET_STAFF, area=areas.other_street)
