"""Fixtures of standards and reviews on top of the shared area tree and personas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reviews.models import Standard


@pytest.fixture
def standard(areas):
    """The district's standard from 2026-07-01: 低保 1,195 元, cadences 12 / 6 / 12 / 12 / 12."""
    return Standard.objects.create(
        district=areas.district,
        effective_date=dt.date(2026, 7, 1),
        dibao=Decimal("1195"),
        tekun_basic=Decimal("1554"),
        tekun_care_full=Decimal("250"),
        tekun_care_partial=Decimal("750"),
        tekun_care_none=Decimal("1500"),
    )
