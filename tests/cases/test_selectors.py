"""Scope of every case-work read, tested in one place, and the worklist's shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from cases import selectors, services
from cases.models import FollowUp, Visit
from tests import factories
from tests.factories import days_ago, local, open_followup

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

SEES = {
    "caseworker": True,
    "teammate": True,
    "viewer": True,
    "supervisor": True,
    "admin": True,
    "outsider": False,
    "provider": False,
    "no_area": False,
}


@pytest.fixture
def visited(household, personas):
    visit = services.visit_log(
        actor=personas.caseworker, household=household, method="home", visited_at=timezone.now()
    )
    return visit


@pytest.mark.parametrize(("persona", "sees"), SEES.items())
def test_visit_and_followup_visibility_by_persona(personas, visited, persona, sees):
    actor = getattr(personas, persona)
    assert selectors.visit_qs_visible_to(actor=actor).filter(pk=visited.pk).exists() is sees
    assert selectors.followup_qs_visible_to(actor=actor).exists() is sees
    if sees:
        assert selectors.visit_get(actor=actor, visit_id=visited.uuid) == visited
    else:
        with pytest.raises(Http404):
            selectors.visit_get(actor=actor, visit_id=visited.uuid)


def test_visit_get_of_unknown_or_malformed_id_is_404(personas):
    with pytest.raises(Http404):
        selectors.visit_get(actor=personas.admin, visit_id="not-a-uuid")


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [("caseworker", "ok"), ("supervisor", "ok"), ("viewer", 403), ("outsider", 404)],
)
def test_household_get_for_visit(personas, household, persona, outcome):
    actor = getattr(personas, persona)
    if outcome == "ok":
        assert selectors.household_get_for_visit(actor=actor, household_id=household.uuid)
    elif outcome == 403:
        with pytest.raises(PermissionDenied):
            selectors.household_get_for_visit(actor=actor, household_id=household.uuid)
    else:
        with pytest.raises(Http404):
            selectors.household_get_for_visit(actor=actor, household_id=household.uuid)


def test_followup_get_for_reassign_is_403_for_workers_and_404_out_of_scope(
    personas, household, far_staff
):
    services.followups_schedule()
    followup = open_followup(household)
    assert selectors.followup_get_for_reassign(actor=personas.supervisor, followup_id=followup.uuid)
    with pytest.raises(PermissionDenied):
        selectors.followup_get_for_reassign(actor=personas.caseworker, followup_id=followup.uuid)
    with pytest.raises(Http404):
        selectors.followup_get_for_reassign(actor=far_staff, followup_id=followup.uuid)


# ---- the worklist ----------------------------------------------------------------------


def _due(household, day: dt.date, tier: str = "C", assignee=None) -> FollowUp:
    FollowUp.objects.filter(household=household, status="open").delete()
    return FollowUp.objects.create(household=household, due=day, tier=tier, assignee=assignee)


def test_worklist_sections_sorted_by_tier_then_date(areas, personas):
    me = personas.caseworker
    homes = [factories.household(area=areas.grid, address=f"排序路{i}号") for i in range(6)]
    _due(homes[0], TODAY - dt.timedelta(days=2), "C", me)
    _due(homes[1], TODAY - dt.timedelta(days=9), "B", me)
    _due(homes[2], TODAY - dt.timedelta(days=1), "A", me)
    _due(homes[3], TODAY, "B", me)
    _due(homes[4], TODAY + dt.timedelta(days=3), "C", me)
    _due(homes[5], TODAY + dt.timedelta(days=30), "A", me)  # beyond this week
    work = selectors.worklist(actor=me, today=TODAY)
    assert [f.household for f in work.overdue] == [homes[2], homes[1], homes[0]]
    assert [f.household for f in work.due_today] == [homes[3]]
    assert [f.household for f in work.this_week] == [homes[4]]
    assert [(key, total) for key, total, _rows in work.sections] == [
        ("overdue", 3),
        ("today", 1),
        ("week", 1),
    ]
    assert work.overdue[1].days_overdue == 9


def test_worklist_of_a_worker_is_their_own_and_others_see_the_scope(areas, personas):
    mine = factories.household(area=areas.grid)
    theirs = factories.household(area=areas.grid)
    _due(mine, TODAY, assignee=personas.caseworker)
    _due(theirs, TODAY, assignee=personas.teammate)
    assert [
        f.household for f in selectors.worklist(actor=personas.caseworker, today=TODAY).due_today
    ] == [mine]
    supervisor = selectors.worklist(actor=personas.supervisor, today=TODAY)
    assert {f.household for f in supervisor.due_today} == {mine, theirs}
    assert not selectors.worklist(actor=personas.outsider, today=TODAY).due_today
    assert not selectors.worklist(actor=personas.no_area, today=TODAY).due_today
    with pytest.raises(PermissionDenied):
        selectors.worklist(actor=personas.provider, today=TODAY)


def test_worklist_shows_last_contact(household, personas):
    services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="home",
        visited_at=local(dt.date(2025, 1, 10)),
    )
    _due(household, TODAY, assignee=personas.caseworker)
    row = selectors.worklist(actor=personas.caseworker, today=TODAY).due_today[0]
    assert timezone.localdate(row.last_contact) == dt.date(2025, 1, 10)


def test_worklist_caps_rows_per_section_and_keeps_the_total(areas, personas):
    for i in range(5):
        _due(
            factories.household(area=areas.grid),
            TODAY - dt.timedelta(days=i + 1),
            "C",
            personas.caseworker,
        )
    work = selectors.worklist(actor=personas.caseworker, today=TODAY, limit=2)
    assert len(work.overdue) == 2 and work.counts[0] == 5


def test_worklist_query_count_is_fixed(areas, personas, django_assert_num_queries):
    me = personas.caseworker
    me.area  # noqa: B018 — the user's own area is loaded once per request anyway
    _due(factories.household(area=areas.grid), TODAY, assignee=me)
    with django_assert_num_queries(1):
        selectors.worklist(actor=me, today=TODAY)
    for i in range(15):
        _due(factories.household(area=areas.grid), TODAY - dt.timedelta(days=i), assignee=me)
    with django_assert_num_queries(1):
        selectors.worklist(actor=me, today=TODAY)


# ---- the overdue overview --------------------------------------------------------------


def test_overdue_grouped_by_community_and_worker(areas, personas, far_household):
    a = factories.household(area=areas.grid)
    b = factories.household(area=areas.community)
    c = factories.household(area=areas.neighbour)
    _due(a, TODAY - dt.timedelta(days=5), assignee=personas.caseworker)
    _due(b, TODAY - dt.timedelta(days=2), assignee=personas.teammate)
    _due(c, TODAY - dt.timedelta(days=1))
    _due(far_household, TODAY - dt.timedelta(days=1))
    _due(factories.household(area=areas.grid), TODAY)  # not overdue
    groups = selectors.overdue_by_community_and_worker(actor=personas.supervisor, today=TODAY)
    assert [(g.name, g.total, g.oldest) for g in groups] == [
        ("狮林社区", 2, TODAY - dt.timedelta(days=5)),
        ("菉葭社区", 1, TODAY - dt.timedelta(days=1)),
    ]
    assert [(w["assignee"], w["count"]) for w in groups[0].workers] == [
        (personas.caseworker, 1),
        (personas.teammate, 1),
    ]
    assert groups[1].workers[0]["assignee"] is None
    rows = selectors.overdue_followups(
        actor=personas.supervisor, today=TODAY, community="320506001002"
    )
    assert [f.household for f in rows] == [c]
    rows = selectors.overdue_followups(actor=personas.supervisor, today=TODAY, assignee="none")
    assert [f.household for f in rows] == [c]


def test_overdue_overview_query_count_is_fixed(areas, personas, django_assert_num_queries):
    personas.supervisor.area  # noqa: B018
    _due(
        factories.household(area=areas.grid),
        TODAY - dt.timedelta(days=1),
        assignee=personas.caseworker,
    )
    with django_assert_num_queries(3):
        selectors.overdue_by_community_and_worker(actor=personas.supervisor, today=TODAY)
    for area in (areas.neighbour, areas.community, areas.grid):
        _due(
            factories.household(area=area), TODAY - dt.timedelta(days=3), assignee=personas.teammate
        )
    with django_assert_num_queries(3):
        selectors.overdue_by_community_and_worker(actor=personas.supervisor, today=TODAY)


@pytest.mark.parametrize("persona", ["caseworker", "provider"])
def test_overdue_overview_is_not_for_workers_or_providers(personas, persona):
    with pytest.raises(PermissionDenied):
        selectors.overdue_by_community_and_worker(actor=getattr(personas, persona), today=TODAY)


# ---- service statistics ----------------------------------------------------------------


def test_monthly_summary_counts_activities_and_visits(household, personas, areas):
    for kind, sessions, attendees, person_times in [
        ("case", 1, 1, 1),
        ("case", 2, 1, 2),
        ("group", 6, 10, 52),
        ("community", 1, 80, 80),
    ]:
        services.service_activity_record(
            actor=personas.caseworker,
            kind=kind,
            date=TODAY,
            area=areas.community,
            title="服务",
            sessions=sessions,
            attendees=attendees,
            person_times=person_times,
        )
    services.service_activity_record(
        actor=personas.outsider,
        kind="case",
        date=TODAY,
        area=areas.far,
        title="别处",
        person_times=9,
    )
    services.visit_log(
        actor=personas.caseworker, household=household, method="home", visited_at=timezone.now()
    )
    summary = selectors.service_monthly_summary(actor=personas.caseworker, month=TODAY)
    assert summary["kinds"]["case"]["count"] == 2
    assert summary["kinds"]["group"]["sessions"] == 6
    assert summary["kinds"]["group"]["attendees"] == 10
    assert summary["person_times"] == 1 + 2 + 52 + 80
    assert (summary["visits"], summary["households"], summary["home"]) == (1, 1, 1)
    last_month = selectors.service_monthly_summary(
        actor=personas.caseworker, month=TODAY.replace(day=1) - dt.timedelta(days=1)
    )
    assert last_month["person_times"] == 0


def test_household_visits_newest_first(household, personas):
    old = services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="phone",
        visited_at=local(days_ago(30)),
    )
    new = services.visit_log(
        actor=personas.caseworker, household=household, method="home", visited_at=local(days_ago(1))
    )
    assert selectors.household_visits(household=household) == [new, old]
    assert Visit.objects.count() == 2
