"""The one capability table, written out by hand: every role × every capability.

A new capability fails `test_the_table_names_every_capability` until a row is added here,
so that what each role may do is decided on purpose, not by a default.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from access.capabilities import GRANTS, Can, can, forget_permissions
from access.roles import Role
from households.models import User
from tests import factories

# Each role bound at its natural level: a worker to a community, street staff to a street,
# the district's admin and auditor to the district, a provider's user to a community.
LEVEL = {
    Role.SOCIAL_WORKER: "community",
    Role.STREET_STAFF: "street",
    Role.DISTRICT_ADMIN: "district",
    Role.PROVIDER: "community",
    Role.AUDITOR: "district",
}
COLUMNS = (Role.SOCIAL_WORKER, Role.STREET_STAFF, Role.DISTRICT_ADMIN, Role.PROVIDER, Role.AUDITOR)

#                                worker street district provider auditor
TABLE = {
    Can.VIEW_REGISTRY:          (1,     1,     1,       0,       1),
    Can.EDIT_REGISTRY:          (1,     1,     1,       0,       0),
    Can.APPLY_ENROLMENT:        (1,     1,     1,       0,       0),
    Can.DECIDE_ENROLMENT:       (0,     0,     1,       0,       0),
    Can.REVEAL_ID_NUMBER:       (1,     1,     1,       0,       0),  # with the permission
    Can.VIEW_CASES:             (1,     1,     1,       0,       1),
    Can.LOG_VISIT:              (1,     1,     1,       0,       0),
    Can.REASSIGN:               (0,     1,     1,       0,       0),
    Can.VIEW_CASELOAD:          (0,     1,     1,       0,       1),
    Can.MANAGE_TIER_RULES:      (0,     0,     1,       0,       0),
    Can.RECORD_ACTIVITY:        (1,     1,     1,       0,       0),
    Can.VIEW_POOL:              (1,     1,     1,       0,       1),
    Can.KEEP_POOL:              (0,     1,     1,       0,       0),
    Can.ACT_FOR_PROVIDER:       (0,     0,     0,       1,       0),
    Can.VIEW_NEEDS:             (1,     1,     1,       0,       1),
    Can.WORK_NEEDS:             (1,     1,     1,       0,       0),
    Can.EDIT_STANDARDS:         (0,     0,     1,       0,       0),
    Can.RECORD_REVIEW:          (1,     1,     1,       0,       0),
    Can.TAKE_APPLICATION:       (1,     1,     1,       0,       0),
    Can.INVESTIGATE:            (1,     1,     1,       0,       0),
    Can.RUN_STREET_STEPS:       (0,     1,     1,       0,       0),
    Can.KEEP_RESPONSIBILITY_LIST: (0,   0,     1,       0,       0),
    Can.VIEW_DASHBOARD:         (1,     1,     1,       0,       1),
    Can.EXPORT_LEDGERS:         (1,     1,     1,       0,       1),
    Can.EXPORT_FULL_ID_NUMBERS: (1,     1,     1,       0,       0),  # with the permission
    Can.IMPORT_LEDGERS:         (1,     1,     1,       0,       0),
    Can.SEARCH_ACCESS_LOG:      (0,     0,     1,       0,       1),
    Can.KEEP_USERS:             (0,     1,     1,       0,       0),
}  # fmt: skip

PREFIX = {"district": "320506", "street": "320506001", "community": "320506001001"}


def _actor(role: str, level: str | None = "", **overrides: object) -> SimpleNamespace:
    """A user as `can` reads it: no database, every permission already held."""
    level = LEVEL[role] if level == "" else level
    area = None if level is None else SimpleNamespace(level=level, prefix=PREFIX[level])
    held = {grant.permission: True for grant in GRANTS.values() if grant.permission}
    fields = {
        "role": role,
        "area": area,
        "area_id": None if area is None else 1,
        "is_authenticated": True,
        "is_active": True,
        "is_superuser": False,
        "_access_permissions": held,
    }
    return SimpleNamespace(**{**fields, **overrides})


def test_the_table_names_every_capability():
    assert set(TABLE) == set(Can)
    assert set(GRANTS) == set(Can)


@pytest.mark.parametrize("capability", list(Can), ids=lambda c: c.value)
@pytest.mark.parametrize("role", COLUMNS)
def test_each_role_may_do_what_the_table_says(role, capability):
    expected = bool(TABLE[capability][COLUMNS.index(role)])
    assert can(_actor(role), capability) is expected


@pytest.mark.parametrize("capability", list(Can), ids=lambda c: c.value)
def test_nobody_who_is_not_a_signed_in_active_user_may_do_anything(capability):
    admin = Role.DISTRICT_ADMIN
    assert can(None, capability) is False
    assert can(AnonymousUser(), capability) is False
    assert can(_actor(admin, is_active=False), capability) is False
    assert can(_actor("", level="district"), capability) is False  # no role


@pytest.mark.parametrize(
    "capability",
    [Can.EXPORT_LEDGERS, Can.EXPORT_FULL_ID_NUMBERS, Can.IMPORT_LEDGERS, Can.KEEP_USERS],
)
def test_acts_on_an_area_need_the_user_bound_to_one(capability):
    assert can(_actor(Role.DISTRICT_ADMIN), capability)
    assert not can(_actor(Role.DISTRICT_ADMIN, level=None), capability)


@pytest.mark.parametrize("capability", [Can.MANAGE_TIER_RULES, Can.EDIT_STANDARDS])
def test_district_wide_acts_need_a_district(capability):
    assert not can(_actor(Role.DISTRICT_ADMIN, level="street"), capability)
    assert not can(_actor(Role.DISTRICT_ADMIN, level=None), capability)


@pytest.mark.parametrize("capability", [Can.REVEAL_ID_NUMBER, Can.EXPORT_FULL_ID_NUMBERS])
def test_full_numbers_need_the_permission_besides_the_role(capability):
    without = _actor(
        Role.DISTRICT_ADMIN, _access_permissions={GRANTS[capability].permission: False}
    )
    assert not can(without, capability)
    assert can(_actor(Role.DISTRICT_ADMIN, is_superuser=True, _access_permissions={}), capability)
    # an auditor never, even a superuser one
    assert not can(_actor(Role.AUDITOR, is_superuser=True), capability)


@pytest.mark.django_db
def test_the_permission_is_read_once_per_user_object_from_the_user_or_a_group(
    areas, django_assert_num_queries
):
    worker = factories.user("w", role=User.Role.SOCIAL_WORKER, area=areas.community)
    with django_assert_num_queries(1):
        assert not can(worker, Can.REVEAL_ID_NUMBER)
        assert not can(worker, Can.REVEAL_ID_NUMBER)
    group = Group.objects.create(name="revealers")
    group.permissions.add(Permission.objects.get(codename="reveal_id_number"))
    worker.groups.add(group)
    assert not can(worker, Can.REVEAL_ID_NUMBER)  # kept for the request
    forget_permissions(worker)
    assert can(worker, Can.REVEAL_ID_NUMBER)
    assert not can(worker, Can.EXPORT_FULL_ID_NUMBERS)
    worker.user_permissions.add(Permission.objects.get(codename="export_full_id_number"))
    forget_permissions(worker)
    assert can(worker, Can.EXPORT_FULL_ID_NUMBERS)


def test_user_role_is_the_access_role():
    assert User.Role is Role
    assert User._meta.get_field("role").choices == Role.choices
