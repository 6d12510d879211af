"""Services of case work: visit logging, reassignment, alerts, rules and service counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.models import FollowUp, HardshipAlert, ServiceActivity, TierRule, Visit
from core.errors import ApplicationError, StaleVersionError
from core.models import AuditEvent
from households.models import Member
from tests.factories import add_months, days_ago, local, open_followup

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


# ---- visit_log -------------------------------------------------------------------------


def test_visit_log_completes_the_open_follow_up_and_schedules_the_next(household, personas):
    services.followups_schedule()
    before = open_followup(household)
    visit = services.visit_log(
        actor=personas.caseworker,
        household=household,
        method=Visit.Method.HOME,
        visited_at=local(days_ago(2), 15),
        companions="志愿者小李",
        findings={"living": ("fair", " 冰箱空了 "), "mood": ("concern", "独自哭泣")},
        needs_noted="需要米面油",
    )
    before.refresh_from_db()
    assert (before.status, before.visit, before.completed_at is not None) == ("done", visit, True)
    after = open_followup(household)
    assert after.pk != before.pk
    assert after.due == add_months(days_ago(2), 6)
    assert (visit.worker, visit.visit_date, visit.living_note) == (
        personas.caseworker,
        days_ago(2),
        "冰箱空了",
    )
    assert visit.mood_status == "concern" and visit.needs_noted == "需要米面油"
    event = AuditEvent.objects.get(verb="visit.log")
    assert (event.actor, event.household_id, event.changes["followup"]) == (
        personas.caseworker,
        household.pk,
        before.pk,
    )


def test_visit_log_without_an_open_follow_up_creates_one(household, personas):
    services.visit_log(
        actor=personas.caseworker, household=household, method="phone", visited_at=timezone.now()
    )
    assert FollowUp.objects.filter(household=household).count() == 1
    assert open_followup(household).due == add_months(TODAY, 6)


def test_visit_log_applies_member_changes_through_the_registry(household, personas):
    child = household.members.get(name="王小明")
    visit = services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="home",
        visited_at=timezone.now(),
        member_changes=[
            (child, {"status": "moved_out", "health": child.health}),
            (household.head, {"health": "serious", "illness": "肺癌", "monthly_income": 0}),
        ],
    )
    child.refresh_from_db()
    head = Member.objects.get(pk=household.head_id)
    assert child.status == "moved_out" and child.version == 2
    assert (head.health, head.illness) == ("serious", "肺癌")
    assert "王小明：状态：在户 → 已迁出" in visit.changes_summary
    assert "肺癌" in visit.changes_summary
    assert AuditEvent.objects.filter(verb="member.update", actor=personas.caseworker).count() == 2


def test_visit_log_member_change_can_move_the_household_to_tier_a(household, personas):
    services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="home",
        visited_at=timezone.now(),
        member_changes=[(household.head, {"health": "serious", "has_caregiver": False})],
    )
    household.refresh_from_db()
    assert household.tier == "A"
    assert open_followup(household).due == add_months(TODAY, 1)


def test_visit_cannot_be_dated_in_the_future(household, personas):
    with pytest.raises(ValidationError) as error:
        services.visit_log(
            actor=personas.caseworker,
            household=household,
            method="home",
            visited_at=timezone.now() + dt.timedelta(minutes=5),
        )
    assert "visited_at" in error.value.message_dict
    assert not Visit.objects.exists()


def test_visit_log_refuses_a_member_of_another_household(household, far_household, personas):
    stranger = far_household.members.get()
    with pytest.raises(ValidationError):
        services.visit_log(
            actor=personas.caseworker,
            household=household,
            method="home",
            visited_at=timezone.now(),
            member_changes=[(stranger, {"status": "moved_out"})],
        )


@pytest.mark.parametrize("persona", ["viewer", "outsider", "provider", "no_area"])
def test_visit_log_refused_outside_scope_or_role(household, personas, persona):
    with pytest.raises(PermissionDenied):
        services.visit_log(
            actor=getattr(personas, persona),
            household=household,
            method="home",
            visited_at=timezone.now(),
        )
    assert not Visit.objects.exists()


def test_visit_log_with_unknown_method_is_a_validation_error(household, personas):
    with pytest.raises(ValidationError):
        services.visit_log(
            actor=personas.caseworker, household=household, method="fax", visited_at=timezone.now()
        )


def test_visit_log_can_resolve_open_alerts(household, personas):
    alert = services.hardship_alert_record(
        actor=personas.caseworker, household=household, kind="accident", occurred_on=TODAY
    )
    services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="home",
        visited_at=timezone.now(),
        resolve_alerts=True,
    )
    alert.refresh_from_db()
    household.refresh_from_db()
    assert alert.resolved_by == personas.caseworker
    assert household.tier == "C"


# ---- reassignment ----------------------------------------------------------------------


@pytest.fixture
def followup(household):
    services.followups_schedule()
    return open_followup(household)


def test_street_staff_reassign_to_a_worker_of_the_community(followup, personas):
    result = services.followup_reassign(
        actor=personas.supervisor, followup=followup, assignee=personas.teammate
    )
    assert (result.assignee, result.reassigned) == (personas.teammate, True)
    event = AuditEvent.objects.get(verb="followup.reassign")
    assert event.changes["assignee_id"][1] == personas.teammate.pk


def test_reassign_refuses_a_worker_of_another_community(followup, personas):
    with pytest.raises(ValidationError):
        services.followup_reassign(
            actor=personas.supervisor, followup=followup, assignee=personas.outsider
        )
    with pytest.raises(ValidationError):
        services.followup_reassign(
            actor=personas.supervisor, followup=followup, assignee=personas.viewer
        )


@pytest.mark.parametrize("persona", ["caseworker", "viewer", "provider"])
def test_reassign_needs_street_or_district_staff(followup, personas, persona):
    with pytest.raises(PermissionDenied):
        services.followup_reassign(
            actor=getattr(personas, persona), followup=followup, assignee=personas.teammate
        )


def test_reassign_out_of_scope_is_refused(followup, personas, far_staff):
    with pytest.raises(PermissionDenied):
        services.followup_reassign(actor=far_staff, followup=followup, assignee=personas.teammate)


def test_reassign_a_completed_follow_up_is_refused(followup, personas):
    FollowUp.objects.filter(pk=followup.pk).update(status="done")
    with pytest.raises(ApplicationError):
        services.followup_reassign(
            actor=personas.supervisor, followup=followup, assignee=personas.teammate
        )


# ---- hardship alerts -------------------------------------------------------------------


def test_alert_cannot_be_in_the_future(household, personas):
    with pytest.raises(ValidationError):
        services.hardship_alert_record(
            actor=personas.caseworker,
            household=household,
            kind="illness",
            occurred_on=TODAY + dt.timedelta(days=1),
        )


def test_alert_is_audited_and_resolving_twice_is_refused(household, personas):
    alert = services.hardship_alert_record(
        actor=personas.caseworker, household=household, kind="illness", occurred_on=TODAY
    )
    assert AuditEvent.objects.filter(verb="hardship_alert.record", object_id=alert.pk).exists()
    services.hardship_alert_resolve(actor=personas.teammate, alert=alert)
    with pytest.raises(ApplicationError):
        services.hardship_alert_resolve(actor=personas.teammate, alert=alert)


def test_alert_refused_to_auditor(household, personas):
    with pytest.raises(PermissionDenied):
        services.hardship_alert_record(
            actor=personas.viewer, household=household, kind="illness", occurred_on=TODAY
        )
    assert not HardshipAlert.objects.exists()


# ---- tier rules ------------------------------------------------------------------------


def test_rule_update_checks_params_against_the_catalogue(personas):
    rule = TierRule.objects.get(code="elderly_alone")
    for bad in ({"min_age": "eighty"}, {"min_age": 10}, {"age": 80}, ["x"]):
        with pytest.raises(ValidationError):
            services.tier_rule_update(actor=personas.admin, rule=rule, data={"params": bad})


def test_rule_update_fills_missing_params_with_defaults_and_audits(personas):
    rule = TierRule.objects.get(code="hardship_alert")
    updated = services.tier_rule_update(
        actor=personas.admin, rule=rule, data={"params": {"days": 30}}
    )
    assert updated.params == {"days": 30, "due_within_days": 3}
    assert updated.version == 2
    assert AuditEvent.objects.filter(verb="tier_rule.update", object_id=rule.pk).exists()


def test_rule_update_with_a_stale_version_changes_nothing(personas):
    rule = TierRule.objects.get(code="elderly_alone")
    with pytest.raises(StaleVersionError):
        services.tier_rule_update(
            actor=personas.admin, rule=rule, data={"interval_months": 2}, expected_version=7
        )


@pytest.mark.parametrize("persona", ["supervisor", "caseworker", "viewer"])
def test_rules_are_the_district_admins(personas, persona):
    rule = TierRule.objects.get(code="elderly_alone")
    with pytest.raises(PermissionDenied):
        services.tier_rule_update(
            actor=getattr(personas, persona), rule=rule, data={"interval_months": 2}
        )
    with pytest.raises(PermissionDenied):
        services.tier_rule_create(
            actor=getattr(personas, persona),
            code="elderly_alone",
            data={"name": "75岁独居", "tier": "B", "interval_months": 3},
        )


def test_rule_change_reschedules_after_commit(
    personas, household, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.tier_rule_create(
            actor=personas.admin,
            code="elderly_alone",
            data={
                "name": "70岁以上独居",
                "tier": "B",
                "interval_months": 3,
                "params": {"min_age": 70},
            },
        )
    assert len(callbacks) == 1
    assert open_followup(household) is not None  # the task ran the whole schedule


def test_unknown_predicate_is_refused(personas):
    with pytest.raises(ValidationError):
        services.tier_rule_create(
            actor=personas.admin,
            code="astrology",
            data={"name": "x", "tier": "A", "interval_months": 1},
        )


# ---- service statistics ----------------------------------------------------------------


def test_service_activity_is_counted_in_its_area(personas, areas):
    activity = services.service_activity_record(
        actor=personas.caseworker,
        kind="group",
        date=TODAY,
        area=areas.community,
        title="长者健康小组",
        sessions=4,
        attendees=8,
        person_times=30,
    )
    assert (activity.area_code, activity.worker) == (areas.community.prefix, personas.caseworker)


@pytest.mark.parametrize(
    ("area", "day", "field"),
    [("far", 0, "area"), ("street", 0, "area"), ("community", -1, "date")],
)
def test_service_activity_refuses_wrong_area_or_future_date(personas, areas, area, day, field):
    with pytest.raises(ValidationError) as error:
        services.service_activity_record(
            actor=personas.caseworker,
            kind="case",
            date=TODAY - dt.timedelta(days=day),
            area=getattr(areas, area),
            title="个案跟进",
        )
    assert field in error.value.message_dict
    assert not ServiceActivity.objects.exists()


def test_service_activity_refused_to_auditor(personas, areas):
    with pytest.raises(PermissionDenied):
        services.service_activity_record(
            actor=personas.viewer, kind="case", date=TODAY, area=areas.community, title="x"
        )


def test_monthly_income_change_is_written_as_decimal(household, personas):
    child = household.members.get(name="王小明")
    services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="wechat",
        visited_at=timezone.now(),
        member_changes=[(child, {"monthly_income": Decimal("1800.00"), "employment": "employed"})],
    )
    child.refresh_from_db()
    assert (child.monthly_income, child.employment) == (Decimal("1800.00"), "employed")


# ---- needs noticed on a visit (matching/'s needs list) --------------------------------


def test_visit_records_needs_in_the_needs_list_and_retiers(household, personas):
    from matching.models import Need

    visit = services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="home",
        visited_at=timezone.now(),
        needs=[{"kind": "survival:living", "description": "断粮", "urgency": 3}],
        needs_noted="另需理发",
    )
    need = Need.objects.get(household=household)
    assert (need.type, need.subtype, need.source, need.status) == (
        "survival",
        "living",
        "visit",
        "open",
    )
    assert need.description == "断粮" and visit.needs_noted == "另需理发"
    household.refresh_from_db()
    assert (household.tier, household.tier_reason) == ("A", "有未解决的生存型需求")
    assert open_followup(household).due == add_months(TODAY, 1)
    event = AuditEvent.objects.get(verb="visit.log")
    assert event.changes["needs"] == [str(need.uuid)]


def test_visit_with_a_bad_need_writes_nothing(household, personas):
    from matching.models import Need

    with pytest.raises(ValidationError):
        services.visit_log(
            actor=personas.caseworker,
            household=household,
            method="home",
            visited_at=timezone.now(),
            needs=[{"kind": "survival:schooling", "description": "x"}],
        )
    assert not Visit.objects.exists() and not Need.objects.exists()


def test_a_visit_logged_late_for_an_earlier_day_leaves_the_open_follow_up_open(household, personas):
    services.visit_log(
        actor=personas.caseworker, household=household, method="home", visited_at=local(days_ago(2))
    )
    current = open_followup(household)
    late = services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="phone",
        visited_at=local(days_ago(9)),
    )
    assert open_followup(household).due == current.due == add_months(days_ago(2), 6)
    assert not late.completed_followups.exists()


def test_structured_needs_refused_while_the_needs_list_is_missing(household, personas, monkeypatch):
    monkeypatch.setattr(services, "needs_list_available", lambda: False)
    with pytest.raises(ValidationError) as error:
        services.visit_log(
            actor=personas.caseworker,
            household=household,
            method="home",
            visited_at=timezone.now(),
            needs=[{"kind": "survival:living"}],
        )
    assert "needs" in error.value.message_dict
    assert not Visit.objects.exists()
