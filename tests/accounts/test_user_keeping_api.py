"""/api/v1/users/ and writes to /api/v1/areas/: the same keeping rules as the services, with
out of scope as 404 and a role or grant above the caller's as 403."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from households.models import Area, User
from tests import factories

pytestmark = pytest.mark.django_db
Role = User.Role


@pytest.fixture
def people(areas):
    return {
        "street": factories.user("street", role=Role.STREET_STAFF, area=areas.street),
        "admin": factories.user("admin", role=Role.DISTRICT_ADMIN, area=areas.district),
        "worker": factories.user("worker", role=Role.SOCIAL_WORKER, area=areas.community),
        "far_worker": factories.user("farworker", role=Role.SOCIAL_WORKER, area=areas.far),
    }


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_street_staff_add_a_worker_and_see_the_password_once(areas, people):
    response = client_for(people["street"]).post(
        "/api/v1/users/",
        {
            "username": "w2",
            "display_name": "陈二",
            "role": "social_worker",
            "area": areas.grid.code,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Cache-Control"] == "no-store"
    assert body["must_change_password"] is True
    user = User.objects.get(username="w2")
    assert user.check_password(body["temporary_password"])
    detail = client_for(people["street"]).get("/api/v1/users/w2/").json()
    assert "temporary_password" not in detail


def test_the_new_user_cannot_take_a_token_before_changing_the_password(areas, people):
    body = (
        client_for(people["street"])
        .post(
            "/api/v1/users/",
            {
                "username": "w3",
                "display_name": "陈三",
                "role": "social_worker",
                "area": areas.community.code,
            },
            format="json",
        )
        .json()
    )
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "w3", "password": body["temporary_password"]},
        format="json",
    )
    assert response.status_code == 403


def test_street_staff_list_only_their_workers(people):
    response = client_for(people["street"]).get("/api/v1/users/")
    assert [u["username"] for u in response.json()["results"]] == ["worker"]


def test_a_worker_of_another_street_is_not_found(areas, people):
    client = client_for(people["street"])
    assert client.get("/api/v1/users/farworker/").status_code == 404
    response = client.patch(
        "/api/v1/users/farworker/", {"area": areas.community.code}, format="json"
    )
    assert response.status_code == 404
    assert client.post("/api/v1/users/farworker/deactivate/").status_code == 404
    people["far_worker"].refresh_from_db()
    assert people["far_worker"].is_active
    assert people["far_worker"].area == areas.far


def test_street_staff_cannot_move_a_worker_into_another_street(areas, people):
    response = client_for(people["street"]).patch(
        "/api/v1/users/worker/", {"area": areas.far.code}, format="json"
    )
    assert response.status_code == 400
    assert "area" in response.json()
    people["worker"].refresh_from_db()
    assert people["worker"].area == areas.community


def test_street_staff_move_a_worker(areas, people):
    response = client_for(people["street"]).patch(
        "/api/v1/users/worker/", {"area": areas.neighbour.code}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["area"] == areas.neighbour.code


@pytest.mark.parametrize(
    "body",
    [
        {"role": "street_staff", "area": "320506001000"},
        {"role": "district_admin"},
        {"grants": ["reveal_id_number"]},
        {"grants": ["export_full_id_number"]},
    ],
)
def test_street_staff_cannot_raise_a_worker(people, body):
    response = client_for(people["street"]).patch("/api/v1/users/worker/", body, format="json")
    assert response.status_code == 403
    people["worker"].refresh_from_db()
    assert people["worker"].role == Role.SOCIAL_WORKER
    assert not people["worker"].user_permissions.exists()


def test_street_staff_cannot_create_an_admin(areas, people):
    response = client_for(people["street"]).post(
        "/api/v1/users/",
        {
            "username": "boss",
            "display_name": "某",
            "role": "district_admin",
            "area": areas.street.code,
        },
        format="json",
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="boss").exists()


def test_nobody_raises_their_own_role(people):
    response = client_for(people["admin"]).patch(
        "/api/v1/users/admin/", {"grants": ["reveal_id_number"]}, format="json"
    )
    assert response.status_code == 403
    assert not people["admin"].user_permissions.exists()
    # Street staff do not keep their own account at all.
    response = client_for(people["street"]).patch(
        "/api/v1/users/street/", {"role": "district_admin"}, format="json"
    )
    assert response.status_code == 404


def test_a_worker_keeps_no_accounts(people):
    assert client_for(people["worker"]).get("/api/v1/users/").status_code == 403


def test_deactivating_revokes_tokens(people):
    _info, key = api_token_issue(actor=people["worker"])
    response = client_for(people["street"]).post("/api/v1/users/worker/deactivate/")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert token_client.get("/api/v1/households/").status_code == 401


def test_the_admin_gives_an_account_a_grant(areas, people):
    response = client_for(people["admin"]).patch(
        "/api/v1/users/worker/", {"grants": ["reveal_id_number"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["grants"] == ["reveal_id_number"]


# ---- areas ------------------------------------------------------------------------------


def test_the_admin_adds_and_renames_a_community(areas, people):
    client = client_for(people["admin"])
    response = client.post(
        "/api/v1/areas/",
        {"parent": areas.street.code, "code": "320506001009", "name": "新社区"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {
        "code": "320506001009",
        "name": "新社区",
        "level": "community",
        "parent": areas.street.code,
    }
    response = client.patch("/api/v1/areas/320506001009/", {"name": "新新社区"}, format="json")
    assert response.status_code == 200
    assert Area.objects.get(code="320506001009").name == "新新社区"


def test_a_code_outside_its_parent_is_refused(areas, people):
    response = client_for(people["admin"]).post(
        "/api/v1/areas/",
        {"parent": areas.street.code, "code": "320506002009", "name": "新社区"},
        format="json",
    )
    assert response.status_code == 400
    assert "code" in response.json()
    assert not Area.objects.filter(code="320506002009").exists()


def test_street_staff_cannot_add_or_rename_areas(areas, people):
    client = client_for(people["street"])
    response = client.post(
        "/api/v1/areas/",
        {"parent": areas.street.code, "code": "320506001009", "name": "新社区"},
        format="json",
    )
    assert response.status_code == 403
    response = client.patch(f"/api/v1/areas/{areas.community.code}/", {"name": "X"}, format="json")
    assert response.status_code == 403
    # Out of their scope: not found.
    response = client.patch(f"/api/v1/areas/{areas.far.code}/", {"name": "X"}, format="json")
    assert response.status_code == 404


def test_an_area_of_another_district_is_not_found_for_the_admin(people):
    alien = factories.area("320507000000", "相城区", Area.Level.DISTRICT)
    client = client_for(people["admin"])
    assert (
        client.patch(f"/api/v1/areas/{alien.code}/", {"name": "X"}, format="json").status_code
        == 404
    )
    response = client.post(
        "/api/v1/areas/", {"parent": alien.code, "code": "320507001000", "name": "X"}, format="json"
    )
    assert response.status_code == 400
    assert not Area.objects.filter(code="320507001000").exists()
