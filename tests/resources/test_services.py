import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError, StaleVersionError
from core.masking import mask_phone
from core.models import AuditEvent
from resources import allocation, services
from resources.models import Provider, ProviderAccount, Resource, StockMovement
from resources.periods import TOTAL_START, period_start
from tests import factories

pytestmark = pytest.mark.django_db


# ---- pure helpers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("051265001234", "051*****1234"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_phone_keeps_first_three_and_last_four(phone, masked):
    assert mask_phone(phone) == masked


def test_period_start_per_kind():
    day = dt.date(2026, 3, 18)  # a Wednesday
    assert period_start("week", day) == dt.date(2026, 3, 16)
    assert period_start("month", day) == dt.date(2026, 3, 1)
    assert period_start("year", day) == dt.date(2026, 1, 1)
    assert period_start("total", day) == TOTAL_START


# ---- providers -------------------------------------------------------------------------


def test_admin_registers_a_provider_with_audit(personas, areas):
    provider = services.provider_create(
        actor=personas.admin, kind="unit", name="驻区银行", area=areas.street
    )
    assert provider.area_code == areas.street.prefix
    assert AuditEvent.objects.filter(verb="provider.create", actor=personas.admin).exists()


def test_street_staff_keep_the_pool_only_inside_their_street(personas, areas):
    services.provider_create(actor=personas.supervisor, kind="unit", name="A", area=areas.community)
    with pytest.raises(ValidationError):
        services.provider_create(actor=personas.supervisor, kind="unit", name="B", area=areas.far)


@pytest.mark.parametrize("who", ["caseworker", "viewer", "provider"])
def test_others_do_not_keep_the_pool(personas, areas, who):
    with pytest.raises(PermissionDenied):
        services.provider_create(
            actor=getattr(personas, who), kind="unit", name="A", area=areas.community
        )


def test_provider_update_is_versioned_and_audited(personas, pool):
    updated = services.provider_update(
        actor=personas.admin,
        provider=pool.care_org,
        data={"contact_name": "李社工"},
        expected_version=1,
    )
    assert updated.version == 2
    with pytest.raises(StaleVersionError):
        services.provider_update(
            actor=personas.admin, provider=pool.care_org, data={"name": "x"}, expected_version=1
        )
    assert AuditEvent.objects.filter(verb="provider.update").count() == 1


def test_account_link_needs_a_provider_role_user(personas, pool):
    with pytest.raises(ValidationError):
        services.provider_account_link(
            actor=personas.admin, provider=pool.shop, user=personas.caseworker
        )
    services.provider_account_link(actor=personas.admin, provider=pool.shop, user=personas.provider)
    assert ProviderAccount.objects.get(user=personas.provider).provider == pool.shop


# ---- resources -------------------------------------------------------------------------


def test_resource_lands_in_the_list_of_its_providers_kind(personas, pool, areas):
    assert pool.medical.pool_list == Resource.PoolList.POLICY
    assert pool.cleaning.pool_list == Resource.PoolList.SOCIAL_ORG
    assert pool.quilts.pool_list == Resource.PoolList.CARING
    life = services.resource_create(
        actor=personas.admin,
        provider=pool.shop,
        kind="service",
        name="家电维修",
        area=areas.street,
        need_types=["care"],
        capacity=10,
        pool_list="life",
    )
    assert life.pool_list == Resource.PoolList.LIFE


def test_a_service_needs_capacity_and_a_resource_a_need_type(personas, pool, areas):
    base = {"actor": personas.admin, "provider": pool.shop, "area": areas.street, "name": "x"}
    with pytest.raises(ValidationError) as error:
        services.resource_create(**base, kind="service", need_types=["care"])
    assert "每期名额" in str(error.value)
    with pytest.raises(ValidationError):
        services.resource_create(**base, kind="policy", need_types=[])


def test_goods_start_with_a_receipt_and_policies_count_nothing(personas, pool):
    assert pool.quilts.movements.get().kind == StockMovement.Kind.RECEIVED
    assert pool.medical.capacity is None and pool.medical.stock is None


def test_stock_receive_adds_units_and_a_ledger_row(personas, pool):
    services.stock_receive(
        actor=personas.admin, resource=pool.quilts, quantity=2743, supplier="慈善总会"
    )
    pool.quilts.refresh_from_db()
    assert pool.quilts.stock == 2753
    assert pool.quilts.movements.filter(kind="received").count() == 2
    with pytest.raises(ValidationError):
        services.stock_receive(actor=personas.admin, resource=pool.cleaning, quantity=1)
    with pytest.raises(PermissionDenied):
        services.stock_receive(actor=personas.viewer, resource=pool.quilts, quantity=1)


@pytest.mark.parametrize("quantity", [2**31, 2**31 - 1 - 5])
def test_stock_receive_past_the_columns_ceiling_is_refused(personas, pool, quantity):
    """Found by the schema run: a huge receipt was a database error (500), not a 400."""
    before = pool.quilts.stock
    with pytest.raises(ValidationError) as refused:
        services.stock_receive(actor=personas.admin, resource=pool.quilts, quantity=quantity)
    assert "上限" in str(refused.value)
    pool.quilts.refresh_from_db()
    assert pool.quilts.stock == before
    assert pool.quilts.movements.count() == 1


def test_resource_update_never_changes_stock_or_kind(personas, pool):
    updated = services.resource_update(
        actor=personas.admin,
        resource=pool.quilts,
        data={"stock": 999, "kind": "policy", "name": "新棉被"},
    )
    assert (updated.stock, updated.kind, updated.name) == (10, "goods", "新棉被")


def test_available_period_must_be_in_order(personas, pool):
    with pytest.raises(ValidationError):
        services.resource_update(
            actor=personas.admin,
            resource=pool.cleaning,
            data={"available_from": dt.date(2026, 5, 1), "available_until": dt.date(2026, 4, 1)},
        )


# ---- allocation ------------------------------------------------------------------------


def test_hold_reads_what_is_left_and_take_uses_it(pool):
    today = timezone.localdate()
    with transaction.atomic():
        held = allocation.hold([pool.cleaning.pk, pool.quilts.pk, pool.medical.pk], day=today)
        assert held[pool.cleaning.pk].remaining == 5
        assert held[pool.quilts.pk].remaining == 10
        assert held[pool.medical.pk].remaining is None
        allocation.take(held, [(pool.cleaning.pk, 2), (pool.quilts.pk, 4), (pool.medical.pk, 9)])
    with transaction.atomic():
        again = allocation.hold([pool.cleaning.pk, pool.quilts.pk], day=today)
        assert again[pool.cleaning.pk].remaining == 3
        assert again[pool.quilts.pk].remaining == 6
        with pytest.raises(ApplicationError):
            allocation.take(again, [(pool.cleaning.pk, 2), (pool.cleaning.pk, 2)])


def test_give_back_returns_units_to_their_period(pool):
    today = timezone.localdate()
    with transaction.atomic():
        held = allocation.hold([pool.cleaning.pk], day=today)
        allocation.take(held, [(pool.cleaning.pk, 3)])
        allocation.give_back(
            resource_id=pool.cleaning.pk, quantity=2, period=held[pool.cleaning.pk].period
        )
        assert allocation.hold([pool.cleaning.pk], day=today)[pool.cleaning.pk].remaining == 4


def test_provider_kinds_cover_the_glossary():
    assert set(Provider.Kind.values) == {
        "government",
        "social_org",
        "unit",
        "company",
        "volunteer",
        "party_member",
    }
    assert factories  # the shared factories stay importable alongside ours
