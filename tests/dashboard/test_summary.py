"""The maintained summary gives the numbers of the direct GROUP BY (the oracle), on random data.

Random households, members and enrolments (overlapping ones, per-person 特困, open and closed
ends), then moves with back-dated history, suspensions, ends with past end dates, deletions,
covered members removed: after each step the summary's table and month changes must equal
the direct count's for every area level and a spread of days (past, today, future, beyond the
checkpoints' horizon). A rebuild from scratch must give the same tables as the triggers did.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from cases.tasks import followups_schedule_task
from dashboards import summary
from dashboards.models import CaseloadDelta, CaseloadHorizon, CaseloadMonth, FollowUpDay, VisitDay
from dashboards.panels import dashboard_area
from dashboards.panels.caseload import caseload
from households import services
from households.models import Category, Enrolment, Household, HouseholdEvent, Member
from tests import factories
from tests.dashboard import oracle

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CATEGORIES = ["dibao", "dibian", "tekun", "zhichu", "linshi"]


def _table(rows: list[tuple]) -> dict[tuple, tuple[int, int]]:
    return {
        (None if g_child else child, None if g_code else code): (hh, persons)
        for child, code, hh, persons, g_child, g_code in rows
        if hh or persons
    }


def _changes(rows: list[tuple]) -> dict[str, tuple[int, int, int]]:
    return {
        code: (new, suspended, ended)
        for _child, code, new, suspended, ended, g_child in rows
        if g_child and (new or suspended or ended)
    }


def _days(rng: random.Random) -> list[dt.date]:
    fixed = [TODAY, TODAY - dt.timedelta(days=1), TODAY.replace(day=1), TODAY + dt.timedelta(1)]
    spread = [TODAY + dt.timedelta(days=rng.randint(-900, 400)) for _ in range(10)]
    return [*fixed, *spread, TODAY + dt.timedelta(days=365 * 3)]


def assert_agrees(actor, areas, rng: random.Random) -> None:
    counted = 0
    for area in (areas.district, areas.street, areas.community, areas.neighbour):
        scope = dashboard_area(actor=actor, code=area.code)
        for day in _days(rng):
            table, changes = summary.caseload_rows(scope, day)
            direct_table, direct_changes = oracle.caseload_rows(scope, day)
            assert _table(table) == _table(direct_table), (area.code, day)
            assert _changes(changes) == _changes(direct_changes), (area.code, day)
            counted += len(_table(direct_table))
    assert counted, "the random data should give some numbers to compare"


def _enrol(rng: random.Random, home: Household, people: list[Member]) -> Enrolment:
    code = rng.choice(CATEGORIES)
    start = TODAY - dt.timedelta(days=rng.randint(-30, 800))
    end = None
    if code == "linshi" or rng.random() < 0.3:
        end = start + dt.timedelta(days=rng.randint(0, 300))
    status = rng.choice(["approved"] * 5 + ["applied", "rejected", "ended"])
    if code == "tekun":
        covered = [rng.choice(people)]
    else:
        covered = rng.sample(people, rng.randint(1, len(people)))
    enrolment = Enrolment.objects.create(
        household=home,
        member=covered[0] if code == "tekun" else None,
        category=Category.objects.get(code=code),
        status=status,
        start_date=start,
        end_date=end,
        monthly_amount=Decimal(100),
        decided_at=None if status == "applied" else timezone.now() - dt.timedelta(days=40),
    )
    enrolment.members.set(covered)
    return enrolment


@pytest.fixture(params=[20261203, 7, 1234])
def rng(request) -> random.Random:
    return random.Random(request.param)


@pytest.fixture
def population(areas, rng):
    # Built before any row goes in, as the migration does: a transactional test elsewhere in
    # the run may have flushed the horizon row (then the triggers keep nothing).
    if not CaseloadHorizon.objects.exists():
        summary.caseload_summary_rebuild()
    places = [areas.community, areas.grid, areas.neighbour, areas.far]
    homes = []
    for i in range(14):
        home = factories.household(area=rng.choice(places), address=f"随机路{i}号")
        people = [home.head] + [
            factories.member(household=home, name=f"成员{i}{j}", relation="child")
            for j in range(rng.randint(0, 3))
        ]
        for _ in range(rng.randint(0, 4)):
            _enrol(rng, home, people)
        homes.append(home)
    return homes


def test_summary_agrees_with_the_direct_count_on_random_data(personas, areas, population, rng):
    assert_agrees(personas.admin, areas, rng)


def test_summary_follows_moves_suspensions_ends_and_deletions(personas, areas, population, rng):
    places = [areas.community, areas.grid, areas.neighbour, areas.far]
    for home in rng.sample(population, 5):
        # A move today, after history placed it elsewhere since some day in the past.
        HouseholdEvent.objects.filter(pgh_obj_id=home.pk).update(
            pgh_created_at=timezone.now() - dt.timedelta(days=rng.randint(5, 400))
        )
        services.household_update(actor=None, household=home, data={"area": rng.choice(places)})
    assert_agrees(personas.admin, areas, rng)

    approved = list(Enrolment.objects.filter(status="approved").order_by("id"))
    for enrolment in rng.sample(approved, min(4, len(approved))):
        services.enrolment_suspend(actor=None, enrolment=enrolment, reason="外出")
    running = list(Enrolment.objects.filter(status__in=["approved", "suspended"]).order_by("id"))
    for enrolment in rng.sample(running, min(4, len(running))):
        end = max(enrolment.start_date, TODAY - dt.timedelta(days=rng.randint(0, 60)))
        services.enrolment_end(actor=None, enrolment=enrolment, reason="退出", end_date=end)
    # A suspension decided in the past (set in bulk, as an import would).
    Enrolment.objects.filter(status="suspended").update(
        decided_at=timezone.now() - dt.timedelta(days=17)
    )
    assert_agrees(personas.admin, areas, rng)

    some = Enrolment.objects.order_by("-id").first()
    some.members.remove(*list(some.members.all())[:1])
    Enrolment.objects.filter(status="rejected").delete()
    assert_agrees(personas.admin, areas, rng)


def _tables() -> tuple[set, set]:
    deltas = set(
        CaseloadDelta.objects.exclude(
            households=0, persons=0, new=0, suspended=0, ended=0
        ).values_list("area_code", "category", "day", "households", "persons", "new",
                      "suspended", "ended")
    )  # fmt: skip
    months = set(
        CaseloadMonth.objects.exclude(households=0, persons=0).values_list(
            "area_code", "category", "month", "households", "persons"
        )
    )
    return deltas, months


def test_a_rebuild_gives_the_tables_the_triggers_kept(personas, areas, population, rng):
    services.household_update(actor=None, household=population[0], data={"area": areas.far})
    kept = _tables()
    summary.caseload_summary_rebuild()
    assert _tables() == kept
    assert kept[0] and kept[1]


def test_nightly_job_twice_and_a_moved_horizon_keep_the_numbers(personas, areas, population, rng):
    # Checkpoints built as if two and a half years ago: today lies past their horizon.
    summary.caseload_summary_rebuild(today=TODAY - dt.timedelta(days=900))
    old_horizon = CaseloadHorizon.objects.get().month
    assert old_horizon < TODAY
    assert_agrees(personas.admin, areas, rng)
    _enrol(rng, population[1], [population[1].head])
    followups_schedule_task.delay().get()
    assert CaseloadHorizon.objects.get().month > old_horizon
    assert_agrees(personas.admin, areas, rng)
    kept = _tables()
    followups_schedule_task.delay().get()
    assert summary.caseload_summary_extend() == 0
    assert _tables() == kept
    assert_agrees(personas.admin, areas, rng)


def test_without_a_summary_the_panels_refuse_and_a_migrate_builds_one(
    personas, areas, population, rng
):
    from django.core.management.sql import emit_post_migrate_signal

    from dashboards.panels import followups, visits

    scope = dashboard_area(actor=personas.admin, code=areas.district.code)
    CaseloadHorizon.objects.all().delete()
    # An error, never a table of zeros.
    with pytest.raises(summary.SummaryNotBuiltError):
        caseload(scope=scope, day=TODAY)
    with pytest.raises(summary.SummaryNotBuiltError):
        visits(scope=scope, day=TODAY)
    with pytest.raises(summary.SummaryNotBuiltError):
        followups(scope=scope, day=TODAY)
    # Writes while no summary is built leave the (absent) summary alone.
    _enrol(random.Random(1), population[2], [population[2].head])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_caseloadhorizon")
        assert cursor.fetchone()[0] == 0
    # What every migrate (and a test's flush) sends builds it from the registry.
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert CaseloadHorizon.objects.exists()
    assert_agrees(personas.admin, areas, rng)


# ---- visits and follow-ups -------------------------------------------------------------


def assert_panels_agree(actor, areas) -> None:
    compared = 0
    for area in (areas.district, areas.street, areas.community, areas.neighbour):
        scope = dashboard_area(actor=actor, code=area.code)
        for day in (TODAY, TODAY - dt.timedelta(days=20), TODAY - dt.timedelta(days=75)):
            since = (day.replace(day=1) - dt.timedelta(days=150)).replace(day=1)
            assert set(summary.visit_rows(scope, day, since)) == set(
                oracle.visit_rows(scope, day, since)
            ), (area.code, day)
            ours = {r for r in summary.followup_rows(scope, day) if any(r[2:6])}
            direct = {r for r in oracle.followup_rows(scope, day) if any(r[2:6])}
            assert ours == direct, (area.code, day)
            compared += len(direct)
    assert compared, "the random data should give some follow-ups to compare"


def test_visit_and_follow_up_counts_agree_with_the_direct_count(personas, areas, population, rng):
    from cases import services as case_services
    from cases.models import FollowUp, Visit

    for home in population:
        for _ in range(rng.randint(0, 5)):
            when = timezone.now() - dt.timedelta(days=rng.randint(0, 300), hours=rng.randint(0, 23))
            Visit.objects.create(
                household=home,
                worker=personas.caseworker,
                method=rng.choice(["home", "phone", "wechat", "walk_in"]),
                visited_at=when,
                visit_date=timezone.localdate(when),
            )
    case_services.followups_schedule()
    assert_panels_agree(personas.admin, areas)

    # Visits that complete follow-ups, a reassignment, a deleted visit, moves.
    for home in rng.sample(population, 4):
        if home.area.prefix.startswith(areas.community.prefix):
            case_services.visit_log(
                actor=personas.caseworker,
                household=home,
                method="home",
                visited_at=timezone.now() - dt.timedelta(hours=1),
            )
    FollowUp.objects.filter(status="done").update(
        completed_at=timezone.now() - dt.timedelta(days=3)
    )
    Visit.objects.filter(pk=Visit.objects.order_by("?").values("pk")[:1]).delete()
    Visit.objects.filter(pk__in=Visit.objects.order_by("id").values("pk")[:3]).update(
        method="wechat", visit_date=TODAY - dt.timedelta(days=40)
    )
    for home in rng.sample(population, 4):
        services.household_update(
            actor=None, household=home, data={"area": rng.choice([areas.grid, areas.far])}
        )
    open_one = FollowUp.objects.filter(status="open").order_by("id").first()
    FollowUp.objects.filter(pk=open_one.pk).update(assignee=personas.teammate, due=TODAY)
    case_services.followups_schedule()
    assert_panels_agree(personas.admin, areas)

    kept = (
        set(VisitDay.objects.exclude(visits=0).values_list("area_code", "day", "method", "visits")),
        set(
            FollowUpDay.objects.exclude(followups=0).values_list(
                "area_code", "assignee_id", "kind", "day", "followups"
            )
        ),
    )
    summary.caseload_summary_rebuild()
    assert kept == (
        set(VisitDay.objects.exclude(visits=0).values_list("area_code", "day", "method", "visits")),
        set(
            FollowUpDay.objects.exclude(followups=0).values_list(
                "area_code", "assignee_id", "kind", "day", "followups"
            )
        ),
    )


def test_the_command_extends_once_and_rebuilds(personas, areas, population):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("caseload_summary", stdout=out)
    call_command("caseload_summary", stdout=out)
    assert out.getvalue().splitlines()[-1].startswith("0 month(s) added")
    kept = _tables()
    call_command("caseload_summary", "--rebuild", stdout=out)
    assert "rebuilt" in out.getvalue()
    assert _tables() == kept


# ---- bulk loads ------------------------------------------------------------------------


def test_a_demo_seed_leaves_the_summary_built_and_agreeing_with_the_direct_count():
    import io

    from django.core.management import call_command

    from households.models import Area, User

    assert CaseloadHorizon.objects.exists()  # built by the migrations (tests/conftest.py)
    call_command("seed_demo", households=80, seed=3, today=TODAY, stdout=io.StringIO())
    assert CaseloadHorizon.objects.exists()  # paused during the load, rebuilt at its end
    admin = User.objects.select_related("area").get(username="admin")
    compared = 0
    for area in Area.objects.filter(level__in=["district", "street"]).order_by("code")[:3]:
        scope = dashboard_area(actor=admin, code=area.code)
        for day in (TODAY, TODAY - dt.timedelta(days=40), TODAY + dt.timedelta(days=400)):
            table, changes = summary.caseload_rows(scope, day)
            direct_table, direct_changes = oracle.caseload_rows(scope, day)
            assert _table(table) == _table(direct_table), (area.code, day)
            assert _changes(changes) == _changes(direct_changes), (area.code, day)
            compared += len(_table(direct_table))
    assert compared
