"""The demo district's standards, for the demo seed (the migration keeps its own copy)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

DEMO_DISTRICT = "320506000000"
DEMO_STANDARD = {
    "effective_date": dt.date(2026, 7, 1),
    "dibao": Decimal("1195.00"),
    "tekun_basic": Decimal("1554.00"),
    "tekun_care_full": Decimal("250.00"),
    "tekun_care_partial": Decimal("750.00"),
    "tekun_care_none": Decimal("1500.00"),
    "dibian_factor": Decimal("1.50"),
    "rigid_share": 50,
    "dibao_stable_months": 12,
    "dibao_unstable_months": 6,
    "tekun_months": 12,
    "dibian_months": 12,
    "zhichu_months": 12,
}


def ensure_demo_standard() -> None:
    """Give the demo district its standard if it has none for that date; never changes one."""
    from households.models import Area
    from reviews.models import Standard

    district = Area.objects.filter(code=DEMO_DISTRICT, level=Area.Level.DISTRICT).first()
    if district is None:
        return
    values = dict(DEMO_STANDARD)
    Standard.objects.get_or_create(
        district=district, effective_date=values.pop("effective_date"), defaults=values
    )
