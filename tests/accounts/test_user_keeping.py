"""Street staff keep their street's social workers; district admins keep the district's
accounts and its areas. Out of scope is not found; nobody raises a role above their own."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts import selectors, services
from accounts.services import api_token_issue
from core.models import AuditEvent
from households import services as household_services
from households.models import Area, User
from tests import factories

pytestmark = pytest.mark.django_db
Role = User.Role


@pytest.fixture
def people(areas):
    return {
        "street": factories.user("street", role=Role.STREET_STAFF, area=areas.street),
        "other_street": factories.user("ostreet", role=Role.STREET_STAFF, area=areas.other_street),
        "admin": factories.user("admin", role=Role.DISTRICT_ADMIN, area=areas.district),
        "worker": factories.user("worker", role=Role.SOCIAL_WORKER, area=areas.community),
        "far_worker": factories.user("farworker", role=Role.SOCIAL_WORKER, area=areas.far),
    }


# ---- creating ---------------------------------------------------------------------------


def test_street_staff_add_a_worker_with_a_temporary_password(areas, people):
    user, password = services.user_create(
        actor=people["street"],
        username="new-worker",
        display_name="陈新",
        role=Role.SOCIAL_WORKER,
        area=areas.neighbour,
    )
    user.refresh_from_db()
    assert user.must_change_password
    assert user.check_password(password)
    assert len(password) == services.TEMPORARY_LENGTH
    assert user.area == areas.neighbour
    assert AuditEvent.objects.filter(verb="user.create", object_id=user.pk).exists()


def test_a_taken_user_name_is_refused_and_nothing_is_stored(areas, people):
    with pytest.raises(ValidationError) as error:
        services.user_create(
            actor=people["street"],
            username="Worker",
            display_name="重名",
            role=Role.SOCIAL_WORKER,
            area=areas.community,
        )
    assert "username" in error.value.message_dict
    assert User.objects.filter(username__iexact="worker").count() == 1


@pytest.mark.parametrize("role", [Role.STREET_STAFF, Role.DISTRICT_ADMIN, Role.AUDITOR])
def test_street_staff_cannot_create_other_roles(areas, people, role):
    area = areas.street if role != Role.DISTRICT_ADMIN else areas.district
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=people["street"], username="x", display_name="某", role=role, area=area
        )
    assert not User.objects.filter(username="x").exists()


def test_street_staff_cannot_grant_the_reveal_permission(areas, people):
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=people["street"],
            username="x",
            display_name="某",
            role=Role.SOCIAL_WORKER,
            area=areas.community,
            grants=["reveal_id_number"],
        )
    assert not User.objects.filter(username="x").exists()


def test_street_staff_cannot_add_a_worker_in_another_street(areas, people):
    with pytest.raises(ValidationError) as error:
        services.user_create(
            actor=people["street"],
            username="x",
            display_name="某",
            role=Role.SOCIAL_WORKER,
            area=areas.far,
        )
    assert "area" in error.value.message_dict


def test_a_role_is_bound_to_an_area_of_its_level(areas, people):
    with pytest.raises(ValidationError) as error:
        services.user_create(
            actor=people["admin"],
            username="x",
            display_name="某",
            role=Role.STREET_STAFF,
            area=areas.community,
        )
    assert "area" in error.value.message_dict


def test_the_district_admin_adds_street_staff_with_grants(areas, people):
    user, _ = services.user_create(
        actor=people["admin"],
        username="new-street",
        display_name="周街",
        role=Role.STREET_STAFF,
        area=areas.other_street,
        grants=["reveal_id_number"],
    )
    assert services.user_grants(user) == ["reveal_id_number"]
    assert user.has_perm("households.reveal_id_number")


# ---- reading ----------------------------------------------------------------------------


def test_street_staff_see_only_their_streets_workers(people):
    seen = set(selectors.user_list(actor=people["street"]).values_list("username", flat=True))
    assert seen == {"worker"}
    with pytest.raises(Http404):
        selectors.user_get_for_manage(actor=people["street"], username="farworker")
    with pytest.raises(Http404):  # another street's staff, a role they do not keep
        selectors.user_get_for_manage(actor=people["street"], username="ostreet")


def test_a_worker_keeps_no_accounts(people):
    assert not selectors.user_list(actor=people["worker"]).exists()


def test_the_admin_sees_the_district(people):
    seen = set(selectors.user_list(actor=people["admin"]).values_list("username", flat=True))
    assert seen == {"street", "ostreet", "admin", "worker", "farworker"}


# ---- moving and deactivating ------------------------------------------------------------


def test_street_staff_move_a_worker_within_their_street(areas, people):
    user = services.user_update(actor=people["street"], user=people["worker"], area=areas.neighbour)
    user.refresh_from_db()
    assert user.area == areas.neighbour
    event = AuditEvent.objects.get(verb="user.update", object_id=user.pk)
    assert event.changes["area"] == [areas.community.code, areas.neighbour.code]


def test_street_staff_cannot_move_a_worker_into_another_street(areas, people):
    with pytest.raises(ValidationError):
        services.user_update(actor=people["street"], user=people["worker"], area=areas.far)
    people["worker"].refresh_from_db()
    assert people["worker"].area == areas.community


def test_street_staff_cannot_promote_a_worker(areas, people):
    with pytest.raises(PermissionDenied):
        services.user_update(
            actor=people["street"],
            user=people["worker"],
            role=Role.STREET_STAFF,
            area=areas.street,
        )
    people["worker"].refresh_from_db()
    assert people["worker"].role == Role.SOCIAL_WORKER


def test_a_worker_granted_by_the_district_keeps_it_when_street_staff_move_them(areas, people):
    worker = people["worker"]
    worker.user_permissions.add(Permission.objects.get(codename="reveal_id_number"))
    services.user_update(actor=people["street"], user=worker, area=areas.neighbour)
    assert services.user_grants(worker) == ["reveal_id_number"]
    with pytest.raises(PermissionDenied):
        services.user_update(actor=people["street"], user=worker, grants=[])


@pytest.mark.parametrize(
    ("who", "change"),
    [
        ("admin", {"grants": ["reveal_id_number", "export_full_id_number"]}),
        ("admin", {"role": Role.AUDITOR}),
        ("street", {"role": Role.DISTRICT_ADMIN}),
        ("street", {"grants": ["reveal_id_number"]}),
    ],
)
def test_nobody_changes_their_own_standing(areas, people, who, change):
    actor = people[who]
    before = actor.role
    with pytest.raises(PermissionDenied):
        services.user_update(actor=actor, user=actor, **change)
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=actor, user=actor)
    actor.refresh_from_db()
    assert actor.is_active
    assert actor.role == before
    assert services.user_grants(actor) == []


def test_own_name_and_phone_may_change(people):
    admin = services.user_update(actor=people["admin"], user=people["admin"], phone="123")
    assert admin.phone == "123"


def test_deactivating_revokes_the_api_tokens(people):
    worker = people["worker"]
    api_token_issue(actor=worker)
    services.user_deactivate(actor=people["street"], user=worker)
    worker.refresh_from_db()
    assert not worker.is_active
    assert not worker.auth_token_set.exists()
    assert AuditEvent.objects.filter(verb="user.deactivate", object_id=worker.pk).exists()
    # Repeated: nothing more happens.
    services.user_deactivate(actor=people["street"], user=worker)
    assert AuditEvent.objects.filter(verb="user.deactivate", object_id=worker.pk).count() == 1


# ---- areas ------------------------------------------------------------------------------


def test_the_admin_adds_a_community_under_a_street(areas, people):
    area = household_services.area_create(
        actor=people["admin"], parent=areas.street, code="320506001003", name="新社区"
    )
    assert area.level == Area.Level.COMMUNITY
    assert area.prefix == "320506001003"
    assert area.events.filter(pgh_label="insert").exists()


def test_the_admin_adds_a_grid_under_a_community(areas, people):
    area = household_services.area_create(
        actor=people["admin"], parent=areas.community, code="320506001001002", name="二网格"
    )
    assert area.level == Area.Level.GRID


@pytest.mark.parametrize(
    "code",
    [
        "320506002003",  # under another street
        "32050600100",  # too short
        "32050600100A",
        "320506001000",  # the street's own code
        "320506001001",  # taken
    ],
)
def test_a_bad_area_code_is_refused(areas, people, code):
    count = Area.objects.count()
    with pytest.raises(ValidationError) as error:
        household_services.area_create(
            actor=people["admin"], parent=areas.street, code=code, name="新社区"
        )
    assert "code" in error.value.message_dict
    assert Area.objects.count() == count


def test_street_staff_cannot_add_areas(areas, people):
    with pytest.raises(PermissionDenied):
        household_services.area_create(
            actor=people["street"], parent=areas.street, code="320506001003", name="新社区"
        )


def test_the_admin_renames_an_area_with_history(areas, people):
    household_services.area_rename(actor=people["admin"], area=areas.community, name="狮林新社区")
    areas.community.refresh_from_db()
    assert areas.community.name == "狮林新社区"
    assert areas.community.events.filter(pgh_label="update").exists()


def test_an_accounts_history_keeps_its_moves_but_not_its_password_or_sign_ins(areas, people):
    from django.utils import timezone

    worker = people["worker"]
    services.user_update(actor=people["street"], user=worker, area=areas.neighbour)
    assert worker.events.filter(pgh_label="update", area=areas.neighbour).exists()
    before = worker.events.count()
    worker.set_password("another-secret-1")
    worker.last_login = timezone.now()
    worker.save(update_fields=["password", "last_login"])
    assert worker.events.count() == before
    assert not hasattr(worker.events.model, "password")
