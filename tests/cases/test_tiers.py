"""The default tier rules (cases/defaults.py), one by one, as the nightly job runs them in SQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from cases import predicates, services
from cases.models import FollowUp, HardshipAlert, TierRule
from households import services as household_services
from households.models import Household, Member
from tests import factories
from tests.factories import add_months, open_followup

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _tier(household: Household, today: dt.date = TODAY) -> tuple[str, str]:
    services.followups_schedule(today=today)
    household.refresh_from_db()
    return household.tier, household.tier_reason


def _head(household: Household) -> Member:
    return household.members.get(relation=Member.Relation.HEAD)


# ---- the catch-all and the categories --------------------------------------------------


def test_plain_active_household_is_c_every_other(household):
    assert _tier(household) == ("C", "其他在册家庭")


def test_tekun_member_is_a(household):
    factories.enrolment(household=household, category="tekun", member=_head(household))
    assert _tier(household) == ("A", "特困供养人员")


def test_dibao_is_b(household):
    factories.enrolment(household=household, category="dibao")
    assert _tier(household) == ("B", "低保家庭")


def test_zhichu_is_b(household):
    factories.enrolment(household=household, category="zhichu")
    assert _tier(household) == ("B", "支出型困难家庭")


def test_dibian_is_c_with_its_own_reason(household):
    factories.enrolment(household=household, category="dibian")
    assert _tier(household) == ("C", "低边家庭")


def test_enrolment_not_approved_or_ended_does_not_count(household):
    factories.enrolment(household=household, category="dibao", approve=False)
    assert _tier(household)[0] == "C"
    ended = factories.enrolment(household=household, category="zhichu")
    household_services.enrolment_end(
        actor=None, enrolment=ended, reason="收入好转", end_date=TODAY - dt.timedelta(1)
    )
    assert _tier(household)[0] == "C"


# ---- 临时救助 in the last 90 days --------------------------------------------------------


def test_linshi_within_90_days_is_a(household):
    factories.enrolment(
        household=household,
        category="linshi",
        start=TODAY - dt.timedelta(days=100),
        end_date=TODAY - dt.timedelta(days=89),
    )
    assert _tier(household) == ("A", "近90天内获临时救助")


def test_linshi_ended_more_than_90_days_ago_is_not_a(household):
    factories.enrolment(
        household=household,
        category="linshi",
        start=TODAY - dt.timedelta(days=120),
        end_date=TODAY - dt.timedelta(days=91),
    )
    assert _tier(household) == ("C", "其他在册家庭")


# ---- members: disability or serious illness without a caregiver, 80+ alone ------------


@pytest.mark.parametrize(
    ("disability", "health", "caregiver", "tier"),
    [
        (("physical", 1), "healthy", False, "A"),
        (("mental", 2), "healthy", False, "A"),
        (("physical", 2), "healthy", True, "C"),
        (("visual", 3), "healthy", False, "C"),
        (None, "serious", False, "A"),
        (None, "serious", True, "C"),
        (None, "chronic", False, "C"),
    ],
)
def test_frail_member_without_caregiver(household, disability, health, caregiver, tier):
    kind, grade = disability or ("", None)
    factories.member(
        household=household,
        name="李病",
        disability_type=kind,
        disability_grade=grade,
        health=health,
        has_caregiver=caregiver,
    )
    assert _tier(household)[0] == tier


def test_frail_member_who_moved_out_no_longer_counts(household, personas):
    sick = factories.member(household=household, name="李病", health="serious", has_caregiver=False)
    assert _tier(household)[0] == "A"
    household_services.member_update(actor=None, member=sick, data={"status": "moved_out"})
    assert _tier(household)[0] == "C"


def test_aged_80_living_alone_is_a_from_the_80th_birthday(areas):
    home = factories.household(
        area=areas.grid, head={"id_number": factories.id_number(birth=dt.date(1940, 3, 9))}
    )
    head = _head(home)
    head.lives_alone = True
    head.save(update_fields=["lives_alone"])
    birthday_80 = head.birth_date.replace(year=head.birth_date.year + 80)
    assert _tier(home, today=birthday_80 - dt.timedelta(days=1))[0] == "C"
    assert _tier(home, today=birthday_80) == ("A", "80岁以上独居")


def test_aged_80_not_alone_is_not_a(areas):
    home = factories.household(
        area=areas.grid, head={"id_number": factories.id_number(birth=dt.date(1930, 1, 1))}
    )
    assert _tier(home)[0] == "C"


def test_min_age_is_a_parameter_the_admin_changes(areas, personas):
    home = factories.household(
        area=areas.grid, head={"id_number": factories.id_number(birth=dt.date(1948, 1, 1))}
    )
    head = _head(home)
    head.lives_alone = True
    head.save(update_fields=["lives_alone"])
    assert _tier(home)[0] == "C"
    rule = TierRule.objects.get(code="elderly_alone")
    services.tier_rule_update(actor=personas.admin, rule=rule, data={"params": {"min_age": 75}})
    assert _tier(home) == ("A", "80岁以上独居")


# ---- hardship alerts (急难) -------------------------------------------------------------


def test_unresolved_hardship_alert_is_a(household, personas):
    services.hardship_alert_record(
        actor=personas.caseworker, household=household, kind="illness", occurred_on=TODAY
    )
    assert _tier(household) == ("A", "急难情况未解除")


def test_resolved_hardship_alert_no_longer_counts(household, personas):
    alert = services.hardship_alert_record(
        actor=personas.caseworker, household=household, kind="job_loss", occurred_on=TODAY
    )
    services.hardship_alert_resolve(actor=personas.caseworker, alert=alert)
    assert _tier(household)[0] == "C"


def test_hardship_alert_older_than_its_window_no_longer_counts(household, personas):
    alert = services.hardship_alert_record(
        actor=personas.caseworker, household=household, kind="accident", occurred_on=TODAY
    )
    HardshipAlert.objects.filter(pk=alert.pk).update(
        created_at=timezone.now() - dt.timedelta(days=91)
    )
    assert _tier(household)[0] == "C"


# ---- open needs (matching.Need, checked at run time) -----------------------------------


@pytest.fixture
def needs_table(monkeypatch):
    """A stand-in for matching.Need's table with the columns the rules assume."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE test_need (household_id bigint, type text, status text)")
    monkeypatch.setattr(
        predicates, "need_table", lambda: ("test_need", "household_id", "type", "status")
    )
    yield "test_need"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE test_need")


def _need(household: Household, kind: str, status: str = "open") -> None:
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO test_need VALUES (%s, %s, %s)", [household.pk, kind, status])


@pytest.mark.parametrize(
    ("kind", "status", "expected"),
    [
        ("survival", "open", ("A", "有未解决的生存型需求")),
        ("survival", "in_progress", ("A", "有未解决的生存型需求")),
        ("survival", "met", ("C", "其他在册家庭")),
        ("care", "matched", ("B", "有未解决的关爱型需求")),
        ("care", "closed", ("C", "其他在册家庭")),
        ("development", "open", ("C", "其他在册家庭")),
    ],
)
def test_open_need_rules(household, needs_table, kind, status, expected):
    _need(household, kind, status)
    assert _tier(household) == expected


def test_need_rules_match_nothing_without_a_needs_table(household, monkeypatch):
    monkeypatch.setattr(predicates, "need_table", lambda: None)
    assert _tier(household)[0] == "C"


def test_need_table_is_found_only_when_matching_has_migrated():
    table = predicates.need_table()
    if table is not None:
        assert table[0] in connection.introspection.table_names()


# ---- which rule wins, and rules as data ------------------------------------------------


def test_most_urgent_tier_wins_and_names_its_rule(household):
    child = household.members.exclude(relation=Member.Relation.HEAD).get()
    factories.enrolment(household=household, category="dibao", members=[child])
    factories.enrolment(household=household, category="tekun", member=_head(household))
    assert _tier(household) == ("A", "特困供养人员")


def test_inactive_rule_is_ignored(household, personas):
    child = household.members.exclude(relation=Member.Relation.HEAD).get()
    factories.enrolment(household=household, category="dibao", members=[child])
    factories.enrolment(household=household, category="tekun", member=_head(household))
    tekun = TierRule.objects.get(name="特困供养人员")
    services.tier_rule_update(actor=personas.admin, rule=tekun, data={"active": False})
    assert _tier(household) == ("B", "低保家庭")


def test_rule_interval_sets_the_due_date(household, personas):
    factories.enrolment(household=household, category="dibao")
    services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="phone",
        visited_at=timezone.now() - dt.timedelta(days=3),
    )
    last = timezone.localdate(timezone.now() - dt.timedelta(days=3))
    assert open_followup(household).due == add_months(last, 3)
    rule = TierRule.objects.get(name="低保家庭")
    services.tier_rule_update(actor=personas.admin, rule=rule, data={"interval_months": 2})
    services.followups_schedule()
    assert open_followup(household).due == add_months(last, 2)


def test_closed_household_has_no_tier_and_its_follow_up_is_cancelled(household):
    services.followups_schedule()
    assert open_followup(household) is not None
    Household.objects.filter(pk=household.pk).update(status=Household.Status.CLOSED)
    assert _tier(household) == ("", "")
    assert open_followup(household) is None
    assert FollowUp.objects.get(household=household).status == FollowUp.Status.CANCELLED


def test_a_rule_naming_no_known_predicate_is_skipped(household):
    TierRule.objects.create(code="gone", name="旧规则", tier="A", interval_months=1)
    assert _tier(household)[0] == "C"


def test_default_rules_are_seeded():
    rows = set(TierRule.objects.values_list("code", "tier", "interval_months"))
    assert ("enrolled", "A", 1) in rows
    assert ("elderly_alone", "A", 1) in rows
    assert ("enrolled", "B", 3) in rows
    assert ("active_household", "C", 6) in rows
    assert TierRule.objects.count() == 11
