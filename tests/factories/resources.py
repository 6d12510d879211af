"""A small resource pool over the shared area tree, made through the real services.

Imported by the conftest of tests/resources and tests/matching.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from matching import services as matching_services
from matching.models import Need
from resources import services
from resources.models import Provider, Resource


def provider(*, area, kind=Provider.Kind.SOCIAL_ORG, name="乐龄社工服务社", **extra) -> Provider:
    return services.provider_create(actor=None, kind=kind, name=name, area=area, **extra)


def resource(*, provider: Provider, area, **overrides: Any) -> Resource:
    data: dict[str, Any] = {
        "kind": Resource.Kind.SERVICE,
        "name": "居家保洁",
        "need_types": ["care"],
        "need_subtypes": ["daily_care"],
        "capacity": 5,
    }
    data.update(overrides)
    return services.resource_create(actor=None, provider=provider, area=area, **data)


def need(*, household, **overrides: Any) -> Need:
    data: dict[str, Any] = {"type": "care", "subtype": "daily_care", "urgency": 2}
    data.update(overrides)
    return matching_services.need_create(actor=None, household=household, **data)


@pytest.fixture
def pool(areas, personas):
    """Providers at every level, one linked to the `provider` persona, and their resources.

    care_org (community) ─ cleaning: service, 居家保洁, capacity 5 a month   ← personas.provider
    bureau (district)    ─ medical: policy 医疗救助 for 低保/特困
    shop (street)        ─ quilts: goods, 10 床 in stock
    far_team (far)       ─ meals: service in the other street
    """
    care_org = provider(area=areas.community, contact_phone="051265001234")
    bureau = provider(area=areas.district, kind=Provider.Kind.GOVERNMENT, name="区医疗保障局")
    shop = provider(area=areas.street, kind=Provider.Kind.COMPANY, name="平江爱心超市")
    far_team = provider(area=areas.far, kind=Provider.Kind.VOLUNTEER, name="南门志愿队")
    services.provider_account_link(actor=None, provider=care_org, user=personas.provider)
    return SimpleNamespace(
        care_org=care_org,
        bureau=bureau,
        shop=shop,
        far_team=far_team,
        cleaning=resource(provider=care_org, area=areas.community),
        medical=resource(
            provider=bureau,
            area=areas.district,
            kind=Resource.Kind.POLICY,
            name="医疗救助",
            need_types=["survival"],
            need_subtypes=["medical"],
            categories=["dibao", "tekun"],
            department="区医疗保障局",
        ),
        quilts=resource(
            provider=shop,
            area=areas.street,
            kind=Resource.Kind.GOODS,
            name="棉被",
            need_types=["survival"],
            need_subtypes=["goods"],
            stock=10,
            unit="床",
        ),
        meals=resource(provider=far_team, area=areas.far, name="南门助餐", capacity=10),
    )
