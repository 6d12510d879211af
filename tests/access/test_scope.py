"""The scope rule's helpers: one object (`covers`), lists (`scoped`, with a lent household),
the area filters (`within`, `serving`) and raw SQL's pattern (`like`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from access.scope import ancestor_prefixes, covers, like, scoped, serving, within
from cases.models import FollowUp
from households.models import Area, Household, User
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbour_worker(areas):
    return factories.user("neighbour_worker", role=User.Role.SOCIAL_WORKER, area=areas.neighbour)


def _lend(household: Household, worker: User, *, reassigned: bool = True) -> FollowUp:
    FollowUp.objects.filter(household=household, status="open").delete()
    due = timezone.localdate() + dt.timedelta(days=3)
    return FollowUp.objects.create(
        household=household, due=due, tier="B", assignee=worker, reassigned=reassigned
    )


def test_covers_what_lies_under_the_actors_area(personas, household, far_household):
    assert covers(personas.caseworker, household.area_code)
    assert covers(personas.supervisor, household.area_code)
    assert covers(personas.admin, far_household.area_code)
    assert not covers(personas.caseworker, far_household.area_code)
    assert not covers(personas.supervisor, far_household.area_code)


def test_covers_an_areas_prefix_as_well_as_a_households_code(areas, personas):
    assert covers(personas.supervisor, areas.neighbour.prefix)
    assert not covers(personas.caseworker, areas.street.prefix)  # above their area


def test_covers_nothing_for_no_one(personas, household):
    personas.teammate.is_active = False
    for nobody in (None, AnonymousUser(), personas.no_area, personas.teammate):
        assert not covers(nobody, household.area_code)


def test_covers_a_lent_household_only_when_asked_with_its_id(household, neighbour_worker):
    assert not covers(neighbour_worker, household.area_code, household_id=household.pk)
    _lend(household, neighbour_worker)
    assert covers(neighbour_worker, household.area_code, household_id=household.pk)
    assert not covers(neighbour_worker, household.area_code)


def test_scoped_lists_the_actors_rows_and_lent_ones_where_asked(
    household, far_household, personas, neighbour_worker
):
    households = Household.objects.all()
    assert list(scoped(households, actor=personas.caseworker, field="area_code")) == [household]
    assert list(scoped(households, actor=personas.no_area, field="area_code")) == []
    assert list(scoped(households, actor=neighbour_worker, field="area_code", lent="pk")) == []
    _lend(household, neighbour_worker)
    assert list(scoped(households, actor=neighbour_worker, field="area_code", lent="pk")) == [
        household
    ]
    assert list(scoped(households, actor=neighbour_worker, field="area_code")) == []


def test_a_follow_up_given_without_a_reassignment_lends_nothing(household, neighbour_worker):
    _lend(household, neighbour_worker, reassigned=False)
    assert not covers(neighbour_worker, household.area_code, household_id=household.pk)


def test_only_a_worker_of_the_same_street_borrows(household, areas):
    far_worker = factories.user("far_worker", role=User.Role.SOCIAL_WORKER, area=areas.far)
    _lend(household, far_worker)
    assert not covers(far_worker, household.area_code, household_id=household.pk)


def test_within_and_serving(areas):
    under_street = set(Area.objects.filter(within("prefix", areas.street.prefix)))
    assert under_street == {areas.street, areas.community, areas.grid, areas.neighbour}
    serving_community = set(Area.objects.filter(serving("prefix", areas.community.prefix)))
    assert serving_community == {areas.district, areas.street, areas.community, areas.grid}
    assert ancestor_prefixes("320506001001") == ["320506", "320506001"]


@pytest.mark.parametrize(
    ("prefix", "pattern"),
    [
        ("320506", "320506%"),
        ("32_5", "32\\_5%"),
        ("32%5", "32\\%5%"),
        ("32\\5", "32\\\\5%"),
    ],
)
def test_like_escapes_the_wildcards(prefix, pattern):
    assert like(prefix) == pattern


@pytest.mark.parametrize(
    ("code", "matches"),
    [("32_5001", True), ("3205001", False), ("32x5001", False), ("32_", False)],
)
def test_like_matches_only_under_the_prefix_in_postgres(code, matches):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s LIKE %s", [code, like("32_5")])
        assert cursor.fetchone()[0] is matches
