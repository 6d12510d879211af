"""The nightly job: due dates, assignment, idempotence, interrupted runs and time-zone edges."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from cases import schedule, services
from cases.models import FollowUp, TierRule, Visit
from households.models import Household, User
from tests import factories
from tests.factories import add_months, days_ago, local, open_followup, snapshot

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


# ---- due dates -------------------------------------------------------------------------


def test_never_visited_household_is_due_from_its_registration(household):
    result = services.followups_schedule()
    followup = open_followup(household)
    assert result.created == 1
    assert followup.due == timezone.localdate(household.created_at)
    assert (followup.tier, followup.rule.name) == ("C", "其他在册家庭")
    assert followup.status == FollowUp.Status.OPEN


def test_due_is_last_contact_plus_the_tiers_interval(household, personas):
    factories.enrolment(household=household, category="dibao")
    services.followups_schedule()
    Visit.objects.create(
        household=household,
        worker=personas.caseworker,
        method="phone",
        visited_at=local(days_ago(40)),
        visit_date=days_ago(40),
    )
    Visit.objects.create(
        household=household,
        worker=personas.caseworker,
        method="home",
        visited_at=local(days_ago(10)),
        visit_date=days_ago(10),
    )
    result = services.followups_schedule()
    assert result.updated == 1
    assert open_followup(household).due == add_months(days_ago(10), 3)


def test_month_end_last_contact_falls_on_the_shorter_months_last_day(household, personas):
    factories.enrolment(household=household, category="tekun", member=household.head)
    services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="home",
        visited_at=local(dt.date(2025, 1, 31), 15),
    )
    assert open_followup(household).due == dt.date(2025, 2, 28)


def test_overdue_follow_ups_are_marked(household):
    services.followups_schedule(today=timezone.localdate(household.created_at))
    assert open_followup(household).overdue is False
    services.followups_schedule(today=TODAY + dt.timedelta(days=1))
    assert open_followup(household).overdue is True


def test_hardship_alert_brings_the_follow_up_within_three_days(household, personas):
    services.visit_log(
        actor=personas.caseworker, household=household, method="home", visited_at=local(days_ago(5))
    )
    assert open_followup(household).due == add_months(days_ago(5), 6)
    services.hardship_alert_record(
        actor=personas.caseworker, household=household, kind="death", occurred_on=TODAY
    )
    followup = open_followup(household)
    assert (followup.tier, followup.due) == ("A", TODAY + dt.timedelta(days=3))
    services.followups_schedule()
    assert open_followup(household).due == TODAY + dt.timedelta(days=3)


def test_hardship_follow_up_delay_is_the_rules_parameter(household, personas):
    rule = TierRule.objects.get(code="hardship_alert")
    services.tier_rule_update(
        actor=personas.admin, rule=rule, data={"params": {"days": 90, "due_within_days": 5}}
    )
    services.hardship_alert_record(
        actor=personas.caseworker, household=household, kind="disaster", occurred_on=TODAY
    )
    assert open_followup(household).due == min(
        TODAY + dt.timedelta(days=5), timezone.localdate(household.created_at)
    )


def test_a_visit_after_the_alert_answers_it(household, personas):
    services.hardship_alert_record(
        actor=personas.caseworker, household=household, kind="illness", occurred_on=TODAY
    )
    services.visit_log(
        actor=personas.caseworker, household=household, method="home", visited_at=timezone.now()
    )
    followup = open_followup(household)
    assert (followup.tier, followup.due) == ("A", add_months(TODAY, 1))


# ---- assignment ------------------------------------------------------------------------


def test_households_own_worker_is_assigned(areas, personas):
    home = factories.household(area=areas.grid, worker=personas.teammate)
    services.followups_schedule()
    assert open_followup(home).assignee == personas.teammate


def test_without_own_worker_the_least_loaded_community_worker_is_assigned(areas, personas):
    homes = [factories.household(area=areas.grid) for _ in range(4)]
    services.followups_schedule()
    assignees = [open_followup(h).assignee for h in homes]
    assert sorted(a.username for a in assignees) == [
        "caseworker",
        "caseworker",
        "teammate",
        "teammate",
    ]
    extra = factories.household(area=areas.community, worker=personas.caseworker)
    later = factories.household(area=areas.community)
    services.followups_schedule()
    assert open_followup(extra).assignee == personas.caseworker
    assert open_followup(later).assignee == personas.teammate  # 2 open against caseworker's 3


def test_only_workers_of_the_households_community_are_assigned(areas, personas):
    grid_worker = factories.user("gridder", role=User.Role.SOCIAL_WORKER, area=areas.grid)
    neighbour = factories.household(area=areas.neighbour, worker=personas.caseworker)
    factories.user("street_worker", role=User.Role.SOCIAL_WORKER, area=areas.street)
    services.followups_schedule()
    followup = open_followup(neighbour)
    assert followup.assignee is None  # caseworker is of another community, nobody else here
    grid_home = factories.household(area=areas.grid, worker=grid_worker)
    services.followups_schedule()
    assert open_followup(grid_home).assignee == grid_worker


def test_reassignment_by_street_staff_survives_the_job(household, personas):
    Household.objects.filter(pk=household.pk).update(worker=personas.caseworker)
    services.followups_schedule()
    followup = open_followup(household)
    assert followup.assignee == personas.caseworker
    services.followup_reassign(
        actor=personas.supervisor, followup=followup, assignee=personas.teammate
    )
    result = services.followups_schedule()
    assert result.rows_changed == 0
    assert open_followup(household).assignee == personas.teammate
    User.objects.filter(pk=personas.teammate.pk).update(is_active=False)
    services.followups_schedule()
    followup = open_followup(household)
    assert (followup.assignee, followup.reassigned) == (personas.caseworker, False)


# ---- one open follow-up per household, idempotence, interrupted runs -------------------


def test_database_allows_only_one_open_follow_up_per_household(household):
    services.followups_schedule()
    duplicate = FollowUp(household=household, due=TODAY, tier="C")
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    FollowUp(household=household, due=TODAY, tier="C", status="done").save()


@pytest.fixture
def varied(areas, personas):
    """Households of every kind, some visited, one alerted, one closed, in two communities."""
    homes = []
    for i in range(9):
        area = areas.grid if i % 3 else areas.neighbour
        home = factories.household(
            area=area, address=f"样本路{i}号", worker=personas.caseworker if i == 4 else None
        )
        homes.append(home)
    factories.enrolment(household=homes[1], category="dibao")
    factories.enrolment(household=homes[2], category="tekun", member=homes[2].head)
    factories.enrolment(household=homes[3], category="dibian")
    factories.member(household=homes[5], name="病", health="serious", has_caregiver=False)
    for i in (1, 2, 6):
        Visit.objects.create(
            household=homes[i],
            worker=personas.caseworker,
            method="home",
            visited_at=local(days_ago(20 + i)),
            visit_date=days_ago(20 + i),
        )
    services.hardship_alert_record(
        actor=personas.caseworker, household=homes[7], kind="job_loss", occurred_on=TODAY
    )
    Household.objects.filter(pk=homes[8].pk).update(status=Household.Status.CLOSED)
    return homes


def test_running_twice_gives_the_same_schedule_and_changes_nothing(varied):
    first = services.followups_schedule(chunk_size=4)
    state = snapshot()
    again = services.followups_schedule(chunk_size=4)
    assert first.rows_changed > 0
    assert again.rows_changed == 0
    assert (again.households, again.chunks) == (first.households, first.chunks)
    assert snapshot() == state
    one_chunk = services.followups_schedule(chunk_size=100)
    assert one_chunk.rows_changed == 0


def _reset_schedule() -> None:
    FollowUp.objects.all().delete()
    Household.objects.update(tier="", tier_reason="")


def test_a_run_interrupted_after_its_first_chunk_converges_on_the_clean_runs_schedule(
    varied, monkeypatch
):
    _reset_schedule()
    real = schedule.run_statement
    calls = []

    def killed_during_second_chunk(sql, params, *, exclusive):
        calls.append(1)
        result = real(sql, params, exclusive=exclusive)
        if len(calls) == 2:
            raise SystemExit("kill -9")  # after the statement, before its commit
        return result

    monkeypatch.setattr(schedule, "run_statement", killed_during_second_chunk)
    with pytest.raises(SystemExit):
        services.followups_schedule(chunk_size=3)
    monkeypatch.setattr(schedule, "run_statement", real)
    assert FollowUp.objects.filter(status="open").count() == 3  # the first chunk only
    rerun = services.followups_schedule(chunk_size=3)
    assert rerun.created == len(varied) - 1 - 3
    after_interruption = snapshot()

    _reset_schedule()
    services.followups_schedule(chunk_size=3)
    assert snapshot() == after_interruption
    assert not (
        FollowUp.objects.filter(status="open")
        .values("household")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


def test_a_second_run_while_one_holds_the_run_lock_is_skipped(household):
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [schedule.RUN_LOCK])
        assert services.followups_schedule().skipped is True
        assert open_followup(household) is None
        other.execute("SELECT pg_advisory_unlock(%s)", [schedule.RUN_LOCK])
    finally:
        other.close()
    assert services.followups_schedule().skipped is False


# ---- time zone: local dates in Asia/Shanghai -------------------------------------------


def test_visit_at_2330_shanghai_counts_on_that_local_day(household, personas):
    at = local(dt.date(2026, 3, 5), 23, 30)  # 15:30 UTC, the same day
    visit = services.visit_log(
        actor=personas.caseworker, household=household, method="home", visited_at=at
    )
    assert visit.visit_date == dt.date(2026, 3, 5)
    assert open_followup(household).due == dt.date(2026, 9, 5)


def test_visit_at_0030_shanghai_counts_on_the_local_day_not_the_utc_one(household, personas):
    at = local(dt.date(2026, 3, 6), 0, 30)  # 16:30 UTC on the 5th
    assert at.astimezone(dt.UTC).date() == dt.date(2026, 3, 5)
    visit = services.visit_log(
        actor=personas.caseworker, household=household, method="home", visited_at=at
    )
    assert visit.visit_date == dt.date(2026, 3, 6)
    assert open_followup(household).due == dt.date(2026, 9, 6)


def test_overdue_uses_the_local_today(household, personas, monkeypatch):
    services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="home",
        visited_at=local(dt.date(2025, 9, 5), 9),
    )
    assert open_followup(household).due == dt.date(2026, 3, 5)
    # 23:30 on the 5th in Shanghai: due today, not overdue.
    monkeypatch.setattr(timezone, "now", lambda: local(dt.date(2026, 3, 5), 23, 30))
    services.followups_schedule()
    assert open_followup(household).overdue is False
    # 00:30 on the 6th in Shanghai (still the 5th in UTC): overdue.
    monkeypatch.setattr(timezone, "now", lambda: local(dt.date(2026, 3, 6), 0, 30))
    services.followups_schedule()
    assert open_followup(household).overdue is True
