"""Fixtures of 政策找人: the district's standard, policies of the pool, and helpers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from households import services as household_services
from outreach import services
from outreach.models import Lead
from resources.models import Provider, Resource
from reviews.models import Standard
from tests.factories.resources import pool, provider, resource  # noqa: F401

# The day every screening in these tests runs as.
DAY = dt.date(2026, 9, 1)


@pytest.fixture
def standard(areas):
    """低保 1,195 元; 低边 ×1.5 = 1,792.50 元; 特困 1,554 元 (from 2026-07-01)."""
    return Standard.objects.create(
        district=areas.district,
        effective_date=dt.date(2026, 7, 1),
        dibao=Decimal("1195"),
        tekun_basic=Decimal("1554"),
        tekun_care_full=Decimal("250"),
        tekun_care_partial=Decimal("750"),
        tekun_care_none=Decimal("1500"),
    )


def policy(area, name: str, *, need_type: str = "survival", subtype: str = "living", **extra):
    bureau = provider(area=area, kind=Provider.Kind.GOVERNMENT, name=f"{name}经办")
    return resource(
        provider=bureau,
        area=area,
        kind=Resource.Kind.POLICY,
        name=name,
        need_types=[need_type],
        need_subtypes=[subtype],
        capacity=None,
        **extra,
    )


@pytest.fixture
def policies(areas, personas, standard):
    """District-wide policies, each to be given rules by the test."""
    return SimpleNamespace(
        care=policy(areas.district, "重度残疾人护理补贴", need_type="care", subtype="daily_care"),
        elderly=policy(areas.district, "高龄津贴"),
        school=policy(areas.district, "教育救助", need_type="development", subtype="schooling"),
        medical=policy(areas.district, "医疗救助", subtype="medical"),
        jobs=policy(areas.district, "就业援助", need_type="development", subtype="employment"),
        dibao=policy(areas.district, "低保政策宣传"),
        far=policy(areas.far, "南门社区助老餐"),
    )


def rule(policy_: Resource, code: str, **params):
    return services.policy_rule_create(actor=None, policy=policy_, code=code, params=params)


def screen(day: dt.date = DAY):
    return services.outreach_screen(today=day)


def open_leads(policy_: Resource | None = None) -> set[tuple[int, int | None]]:
    qs = Lead.objects.filter(state=Lead.State.OPEN)
    if policy_ is not None:
        qs = qs.filter(policy=policy_)
    return set(qs.values_list("household_id", "member_id"))


def change(member, **data):
    return household_services.member_update(actor=None, member=member, data=data)
