"""Shared fixtures: one small area tree and the personas of the house style.

Tree: district 320506 ─ street 001 ─ community 001 (grid 001), community 002
                     └ street 002 ─ community 001
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from households.models import Area, User
from tests import factories


@pytest.fixture(autouse=True)
def _active_language_restored():
    """A request with Accept-Language leaves its language active on the thread (LocaleMiddleware
    activates it, nothing deactivates): without this, a test after an English request (e.g.
    tests/test_i18n.py) sees English labels where it expects Chinese, in random order."""
    from django.utils import translation

    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture(scope="session", autouse=True)
def _reference_rows(django_db_setup, django_db_blocker):
    """Keep the rows post_migrate makes (content types, permissions, categories, tier rules,
    the dashboard's summary).

    A transactional test ends by emptying every table; if the last test of a run is one,
    the reused database would start the next run empty. Re-emitting post_migrate at the start
    and the end of the session puts those rows back (each receiver is idempotent).
    """
    from django.core.management.sql import emit_post_migrate_signal

    with django_db_blocker.unblock():
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    yield
    with django_db_blocker.unblock():
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")


@pytest.fixture
def areas(db):
    district = factories.area("320506000000", "姑苏区", Area.Level.DISTRICT)
    street = factories.area("320506001000", "平江街道", Area.Level.STREET, district)
    community = factories.area("320506001001", "狮林社区", Area.Level.COMMUNITY, street)
    grid = factories.area("320506001001001", "狮林一网格", Area.Level.GRID, community)
    neighbour = factories.area("320506001002", "菉葭社区", Area.Level.COMMUNITY, street)
    other_street = factories.area("320506002000", "沧浪街道", Area.Level.STREET, district)
    far = factories.area("320506002001", "南门社区", Area.Level.COMMUNITY, other_street)
    return SimpleNamespace(
        district=district,
        street=street,
        community=community,
        grid=grid,
        neighbour=neighbour,
        other_street=other_street,
        far=far,
    )


@pytest.fixture
def personas(areas):
    """caseworker/teammate own the community; viewer reads it; outsider is elsewhere."""
    role = User.Role
    people = SimpleNamespace(
        caseworker=factories.user("caseworker", role=role.SOCIAL_WORKER, area=areas.community),
        teammate=factories.user("teammate", role=role.SOCIAL_WORKER, area=areas.community),
        viewer=factories.user("viewer", role=role.AUDITOR, area=areas.community),
        outsider=factories.user("outsider", role=role.SOCIAL_WORKER, area=areas.far),
        supervisor=factories.user("supervisor", role=role.STREET_STAFF, area=areas.street),
        admin=factories.user("admin", role=role.DISTRICT_ADMIN, area=areas.district),
        provider=factories.user("provider", role=role.PROVIDER, area=areas.community),
        no_area=factories.user("no_area", role=role.SOCIAL_WORKER, area=None),
    )
    reveal = Permission.objects.get(codename="reveal_id_number")
    people.admin.user_permissions.add(reveal)
    return people


@pytest.fixture
def household(areas, personas):
    """A household in the caseworker's grid with its head and one more member."""
    home = factories.household(area=areas.grid, actor=personas.caseworker, address="狮林寺巷8号")
    factories.member(household=home, actor=personas.caseworker, name="王小明", relation="child")
    return home


@pytest.fixture
def far_household(areas, personas):
    return factories.household(area=areas.far, actor=personas.outsider, address="南门路1号")


@pytest.fixture
def api():
    def client_for(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for
