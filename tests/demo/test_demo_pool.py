"""seed_demo's resource pool: every provider kind and list, needs and referrals in every
state that fit their resources, within capacity and stock, the same for the same seed."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from demo.seed import seed_demo
from households.models import User
from matching.models import Need, Referral
from matching.selectors import referral_qs_visible_to
from resources.models import Provider, Resource, ResourceUsage

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)


def _signature() -> list[tuple]:
    return list(
        Referral.objects.order_by(
            "need__household__address", "need__subtype", "status"
        ).values_list("need__household__address", "need__subtype", "status", "resource__name")
    )


@pytest.fixture
def seeded():
    return seed_demo(households=300, seed=3, today=DAY)


def test_the_pool_has_every_provider_kind_list_and_resource_kind(seeded):
    assert set(Provider.objects.values_list("kind", flat=True)) == set(Provider.Kind.values)
    assert set(Resource.objects.values_list("pool_list", flat=True)) == set(
        Resource.PoolList.values
    )
    assert set(Resource.objects.values_list("kind", flat=True)) == set(Resource.Kind.values)
    assert seeded.counts["providers"] == Provider.objects.count() > 600


def test_needs_and_referrals_come_in_every_state_and_fit(seeded):
    assert {"open", "matched", "in_progress", "met", "closed", "unverified"} <= set(
        Need.objects.values_list("status", flat=True)
    )
    assert set(Referral.objects.values_list("status", flat=True)) >= {
        "proposed",
        "accepted",
        "declined",
        "delivered",
        "confirmed",
        "closed",
    }
    for referral in Referral.objects.select_related("need__household", "resource"):
        need, resource = referral.need, referral.resource
        assert need.type in resource.need_types and need.subtype in resource.need_subtypes
        assert need.household.area_code.startswith(resource.area_code)
        assert referral.provider_id == resource.provider_id
    for usage in ResourceUsage.objects.select_related("resource"):
        assert usage.used <= usage.resource.capacity
    assert not Resource.objects.filter(stock__lt=0).exists()


def test_the_provider_user_sees_referrals_in_every_step_in_the_portal(seeded, client):
    user = User.objects.get(username="provider")
    mine = referral_qs_visible_to(actor=user)
    assert {"proposed", "accepted", "delivered", "confirmed", "closed", "declined"} <= set(
        mine.values_list("status", flat=True)
    )
    client.force_login(user)
    response = client.get(reverse("matching:portal"))
    assert response.status_code == 200
    assert "居家上门照料" in response.content.decode()


def test_the_same_seed_makes_the_same_pool_and_needs():
    with transaction.atomic():
        seed_demo(households=200, seed=5, today=DAY)
        first = _signature()
        transaction.set_rollback(True)
    seed_demo(households=200, seed=5, today=DAY)
    assert _signature() == first and first
