import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from matching import services
from matching.models import Campaign, Need, Referral
from tests import factories

pytestmark = pytest.mark.django_db

TEKUN = {"category": "tekun"}
ORPHANS = {"orphan": True}
LONE_DIBAO = {"category": "dibao", "one_person": True}


def _child(household, name="小丽", years=10):
    born = timezone.localdate().replace(year=timezone.localdate().year - years, month=1, day=1)
    return factories.member(
        household=household, name=name, relation="child", id_number=factories.id_number(birth=born)
    )


def _targets(areas, groups):
    return list(
        services.campaign_targets(
            prefix=areas.street.prefix, groups=groups, day=timezone.localdate()
        )
    )


def test_target_groups_are_any_of_the_groups(areas, personas):
    tekun = factories.household(area=areas.grid, address="特困1号")
    factories.enrolment(household=tekun, category="tekun", member=tekun.head)
    lone_dibao = factories.household(area=areas.grid, address="低保独居1号")
    factories.enrolment(household=lone_dibao, category="dibao")
    family_dibao = factories.household(area=areas.grid, address="低保两口1号")
    factories.member(household=family_dibao, name="配偶")
    factories.enrolment(household=family_dibao, category="dibao")
    factories.household(area=areas.grid, address="无救助1号")
    addresses = {h.address for h in _targets(areas, [TEKUN, LONE_DIBAO])}
    assert addresses == {"特困1号", "低保独居1号"}


def test_orphan_is_a_minor_without_the_people_who_would_be_their_parents(areas, personas):
    from households.services import member_update

    grandparents = factories.household(area=areas.grid, address="祖孙1号")
    grandchild = factories.member(
        household=grandparents,
        name="孙子",
        relation="grandchild",
        id_number=factories.id_number(birth=dt.date(timezone.localdate().year - 8, 3, 1)),
    )
    with_parents = factories.household(area=areas.grid, address="三口1号")
    _child(with_parents)
    widowed = factories.household(area=areas.grid, address="孤儿1号")
    _child(widowed)
    member_update(actor=None, member=widowed.head, data={"status": "deceased"})
    assert grandchild.pk
    addresses = {h.address for h in _targets(areas, [ORPHANS])}
    assert addresses == {"祖孙1号", "孤儿1号"}


def test_campaign_with_too_little_stock_reports_the_shortfall(areas, personas, pool):
    homes = []
    for i in range(7):
        home = factories.household(area=areas.grid, address=f"特困{i}号")
        factories.enrolment(household=home, category="tekun", member=home.head)
        homes.append(home)
    campaign = services.campaign_run(
        actor=personas.supervisor,
        name="寒冬送温暖",
        resource=pool.quilts,
        area=areas.street,
        groups=[TEKUN],
        per_household=2,
    )
    assert campaign.households_targeted == 7
    assert campaign.households_served == 5
    assert campaign.households_short == 2
    assert (campaign.units_requested, campaign.units_given, campaign.units_short) == (14, 10, 4)
    pool.quilts.refresh_from_db()
    assert pool.quilts.stock == 0
    referrals = Referral.objects.filter(campaign=campaign)
    assert referrals.count() == 5
    assert set(referrals.values_list("status", "quantity")) == {("proposed", 2)}
    assert set(Need.objects.filter(source="campaign").values_list("status", flat=True)) == {
        "matched"
    }
    assert pool.quilts.movements.filter(kind="given").count() == 5


def test_campaign_gives_per_member_when_asked(areas, personas, pool):
    home = factories.household(area=areas.grid)
    factories.member(household=home, name="配偶")
    factories.enrolment(household=home, category="dibao")
    campaign = services.campaign_run(
        actor=personas.caseworker,
        name="棉被",
        resource=pool.quilts,
        area=areas.community,
        groups=[{"category": "dibao"}],
        per_member=True,
    )
    assert campaign.units_given == 2


def test_campaign_does_not_serve_a_household_twice(areas, personas, pool):
    home = factories.household(area=areas.grid)
    factories.enrolment(household=home, category="dibao")
    args = {
        "actor": personas.caseworker,
        "name": "棉被",
        "resource": pool.quilts,
        "area": areas.community,
        "groups": [{"category": "dibao"}],
    }
    services.campaign_run(**args)
    again = services.campaign_run(**args)
    assert again.households_targeted == 0
    assert Campaign.objects.count() == 2


def test_campaign_needs_goods_a_group_and_an_area_in_scope(areas, personas, pool):
    base = {"actor": personas.caseworker, "name": "x", "area": areas.community}
    with pytest.raises(ValidationError):
        services.campaign_run(**base, resource=pool.cleaning, groups=[TEKUN])
    with pytest.raises(ValidationError):
        services.campaign_run(**base, resource=pool.quilts, groups=[{}])
    with pytest.raises(ValidationError):
        services.campaign_run(**{**base, "area": areas.far}, resource=pool.quilts, groups=[TEKUN])
