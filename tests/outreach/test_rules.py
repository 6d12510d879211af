"""Each condition of the catalogue against households whose facts are worked out by hand.

The screening runs as of DAY (2026-09-01); the standard in force is 低保 1,195 元.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from outreach.models import Lead
from tests import factories
from tests.outreach.conftest import DAY, change, open_leads, rule, screen

pytestmark = pytest.mark.django_db


def _home(areas, **head):
    return factories.household(area=areas.grid, head=head)


def _born(years: int, days: int = 0) -> str:
    birth = DAY.replace(year=DAY.year - years) + dt.timedelta(days=days)
    return factories.id_number_born_on(birth)


def test_age_counts_whole_years_on_the_day(areas, policies):
    rule(policies.elderly, "age", min_age=80, max_age=120)
    eighty_today = _home(areas, id_number=_born(80))
    eighty_tomorrow = _home(areas, id_number=_born(80, days=1))
    _home(areas, id_number=_born(60))
    screen()
    assert open_leads(policies.elderly) == {(eighty_today.pk, eighty_today.head_id)}
    assert eighty_tomorrow.pk not in {h for h, _m in open_leads()}


def test_age_band_keeps_its_upper_bound(areas, policies):
    rule(policies.jobs, "age", min_age=16, max_age=59)
    fifty_nine = _home(areas, id_number=_born(60, days=1))  # 60 tomorrow
    _home(areas, id_number=_born(60))  # 60 today: out
    screen()
    assert open_leads(policies.jobs) == {(fifty_nine.pk, fifty_nine.head_id)}


def test_disability_by_type_and_grade_with_its_reason(areas, policies):
    rule(policies.care, "disability", types=["physical"], max_grade=2)
    home = _home(areas)
    two = factories.member(
        household=home, name="李四", disability_type="physical", disability_grade=2
    )
    factories.member(household=home, name="李五", disability_type="physical", disability_grade=3)
    factories.member(household=home, name="李六", disability_type="visual", disability_grade=1)
    screen()
    assert open_leads(policies.care) == {(home.pk, two.pk)}
    lead = Lead.objects.get(policy=policies.care)
    assert lead.reason == "家中有一级至二级肢体残疾成员，未享受重度残疾人护理补贴"
    assert lead.area_code == home.area_code


def test_illness_reads_the_health_chosen(areas, policies):
    rule(policies.medical, "illness", health=["serious"])
    home = _home(areas, health="serious")
    _home(areas, health="chronic")
    screen()
    assert open_leads(policies.medical) == {(home.pk, home.head_id)}


def test_schooling_with_an_enrolment_of_the_household(areas, policies):
    rule(policies.school, "schooling", levels=["junior", "senior"])
    rule(policies.school, "enrolled", categories=["dibao", "tekun"])
    enrolled = _home(areas)
    pupil = factories.member(household=enrolled, relation="child", schooling="junior")
    factories.enrolment(household=enrolled, category="dibao")
    not_enrolled = _home(areas)
    factories.member(household=not_enrolled, relation="child", schooling="junior")
    screen()
    assert open_leads(policies.school) == {(enrolled.pk, pupil.pk)}
    assert Lead.objects.get(policy=policies.school).reason == (
        "家中有在读初中、高中/中职成员，家庭享受低保或特困，未享受教育救助"
    )


def test_member_conditions_hold_for_one_and_the_same_member(areas, policies):
    rule(policies.elderly, "age", min_age=80, max_age=120)
    rule(policies.elderly, "lives_alone")
    both = _home(areas, id_number=_born(85), lives_alone=True)
    split = _home(areas, id_number=_born(85), lives_alone=False)
    factories.member(household=split, id_number=_born(40), lives_alone=True)
    screen()
    assert open_leads(policies.elderly) == {(both.pk, both.head_id)}


def test_unemployed_with_labour_capacity(areas, policies):
    rule(policies.jobs, "unemployed", labour=["full", "partial"])
    able = _home(areas, employment="unemployed", labour_capacity="full")
    _home(areas, employment="unemployed", labour_capacity="none")
    _home(areas, employment="employed", labour_capacity="full")
    screen()
    assert open_leads(policies.jobs) == {(able.pk, able.head_id)}


def test_income_below_the_standard_for_a_household_not_enrolled(areas, policies):
    rule(policies.dibao, "income_below", line="dibao", percent=100)
    rule(policies.dibao, "not_enrolled", categories=["dibao", "tekun"])
    # 1,500 + 500 over two people: 1,000 a head, under 1,195.
    poor = _home(areas, monthly_income=Decimal("1500"))
    factories.member(household=poor, monthly_income=Decimal("500"))
    # 2,400 over two: 1,200 a head, over 1,195.
    above = _home(areas, monthly_income=Decimal("2400"))
    factories.member(household=above, monthly_income=Decimal("0"))
    # Under the line but already 低保.
    enrolled = _home(areas, monthly_income=Decimal("800"))
    factories.enrolment(household=enrolled, category="dibao")
    screen()
    assert open_leads(policies.dibao) == {(poor.pk, None)}
    assert Lead.objects.get(policy=policies.dibao).reason == (
        "家庭人均收入低于低保标准、未享受低保、特困，未享受低保政策宣传"
    )


def test_income_against_a_share_of_the_dibian_line(areas, policies):
    # 低边 line 1,792.50; 120% of it is 2,151.00.
    rule(policies.dibao, "income_below", line="dibian", percent=120)
    under = _home(areas, monthly_income=Decimal("2150"))
    _home(areas, monthly_income=Decimal("2151"))
    screen()
    assert open_leads(policies.dibao) == {(under.pk, None)}


def test_a_policy_finds_only_households_of_the_area_it_serves(areas, policies, personas):
    rule(policies.far, "age", min_age=60, max_age=120)
    _home(areas, id_number=_born(70))
    far = factories.household(area=areas.far, head={"id_number": _born(70)})
    screen()
    assert open_leads(policies.far) == {(far.pk, far.head_id)}


def test_inactive_rules_and_members_count_for_nothing(areas, policies):
    inactive = rule(policies.medical, "illness", health=["serious"])
    from outreach.services import policy_rule_update

    policy_rule_update(actor=None, rule=inactive, data={"active": False})
    _home(areas, health="serious")
    screen()
    assert open_leads() == set()
    rule(policies.care, "disability", types=["physical"], max_grade=2)
    home = _home(areas)
    gone = factories.member(household=home, disability_type="physical", disability_grade=1)
    change(gone, status="deceased")
    screen()
    assert open_leads(policies.care) == set()


def test_rule_parameters_are_checked(policies, pool):
    with pytest.raises(ValidationError):
        rule(policies.care, "disability", types=["wings"], max_grade=2)
    with pytest.raises(ValidationError):
        rule(policies.care, "age", min_age=200)
    with pytest.raises(ValidationError):
        rule(policies.care, "no_such_condition")
    with pytest.raises(ValidationError):
        rule(pool.cleaning, "lives_alone")  # a service, not a policy
