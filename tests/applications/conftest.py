"""An application world over the shared area tree: the district's 民政局 as the department of
its responsibility list, a standard, and a helper that takes an application at the window."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from applications import services
from applications.services import _common
from households.models import Category, User
from resources import services as resource_services
from resources.models import Provider
from reviews.models import Standard
from tests import factories


@pytest.fixture
def clock(monkeypatch):
    """Set the services' today: `clock.set(date)`."""
    state = SimpleNamespace(day=dt.date(2026, 3, 2))

    def set_day(day: dt.date) -> None:
        state.day = day

    monkeypatch.setattr(_common, "today", lambda: state.day)
    state.set = set_day
    return state


@pytest.fixture
def window(areas, personas, clock):
    bureau = resource_services.provider_create(
        actor=None, kind=Provider.Kind.GOVERNMENT, name="姑苏区民政局", area=areas.district
    )
    clerk = factories.user("bureau_clerk", role=User.Role.PROVIDER, area=areas.district)
    resource_services.provider_account_link(actor=None, provider=bureau, user=clerk)
    rows = {
        code: services.responsibility_create(
            actor=personas.admin,
            category=Category.objects.get(code=code),
            data={"department": bureau, "steps": "受理、调查、公示、审批"},
        )
        for code in ("dibao", "dibian", "tekun", "zhichu")
    }
    Standard.objects.create(
        district=areas.district,
        effective_date=dt.date(2026, 1, 1),
        dibao=Decimal("1195"),
        tekun_basic=Decimal("1554"),
        tekun_care_full=250,
        tekun_care_partial=750,
        tekun_care_none=1500,
    )
    partner = factories.user("partner", role=User.Role.SOCIAL_WORKER, area=areas.community)
    return SimpleNamespace(bureau=bureau, clerk=clerk, rows=rows, partner=partner)


def take(household, actor, category: str = "dibao", **extra: Any):
    data: dict[str, Any] = {
        "household": household,
        "applicant": household.head,
        "category": Category.objects.get(code=category),
        "channel": "window",
        "phone": "13912345678",
        "consent_given": True,
        "reason": "因病致贫",
    }
    data.update(extra)
    return services.application_take(actor=actor, **data)


def investigate(application, actor, partner, **extra: Any):
    data: dict[str, Any] = {
        "visited_on": application.accepted_on or dt.date(2026, 3, 3),
        "household_size": 2,
        "monthly_income": Decimal("1800"),
        "assets": Decimal("5000"),
        "rigid_spending": Decimal("0"),
        "findings": "二人同住，户主患病",
        "paper_signed": True,
    }
    data.update(extra)
    return services.investigation_record(
        actor=actor, application=application, investigators=[actor, partner], data=data
    )
