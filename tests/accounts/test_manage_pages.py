"""The pages where street staff keep their workers and the district admin accounts and areas."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

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


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_street_staff_list_their_workers_only(people):
    response = client_for(people["street"]).get(reverse("manage:users"))
    assert response.status_code == 200
    assert "worker" in response.content.decode()
    assert "farworker" not in response.content.decode()


def test_the_list_works_under_the_content_security_policy(people):
    """No inline handlers (the CSP forbids them): deactivating asks again in plain HTML."""
    page = client_for(people["street"]).get(reverse("manage:users")).content.decode()
    assert "onclick=" not in page and "onchange=" not in page
    assert reverse("manage:user_deactivate", args=["worker"]) in page


def test_a_worker_may_not_open_the_page(people):
    assert client_for(people["worker"]).get(reverse("manage:users")).status_code == 403


def test_street_staff_add_a_worker_who_must_change_the_password(areas, people):
    client = client_for(people["street"])
    form = client.get(reverse("manage:user_create")).content.decode()
    assert areas.far.name not in form  # no area of another street is offered
    assert "reveal_id_number" not in form
    response = client.post(
        reverse("manage:user_create"),
        {
            "username": "chen",
            "display_name": "陈新",
            "phone": "",
            "role": "social_worker",
            "area": areas.neighbour.pk,
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = response.context["password"]
    assert password in response.content.decode()
    new = User.objects.get(username="chen")
    assert new.must_change_password and new.check_password(password)
    # At first sign-in the new worker is sent to change the password.
    newcomer = Client()
    newcomer.post(reverse("login"), {"username": "chen", "password": password})
    response = newcomer.get(reverse("households:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change")


def test_a_repeated_create_stores_once(areas, people):
    client = client_for(people["street"])
    data = {
        "username": "chen",
        "display_name": "陈新",
        "role": "social_worker",
        "area": areas.community.pk,
    }
    client.post(reverse("manage:user_create"), data)
    response = client.post(reverse("manage:user_create"), data)
    assert response.status_code == 400
    assert "已被使用" in response.content.decode()
    assert User.objects.filter(username="chen").count() == 1


def test_street_staff_cannot_add_a_worker_in_another_street(areas, people):
    response = client_for(people["street"]).post(
        reverse("manage:user_create"),
        {"username": "x", "display_name": "某", "role": "social_worker", "area": areas.far.pk},
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="x").exists()


def test_street_staff_cannot_create_street_staff(areas, people):
    response = client_for(people["street"]).post(
        reverse("manage:user_create"),
        {"username": "x", "display_name": "某", "role": "street_staff", "area": areas.street.pk},
    )
    assert response.status_code == 400
    assert not User.objects.filter(username="x").exists()


def test_street_staff_move_a_worker(areas, people):
    client = client_for(people["street"])
    url = reverse("manage:user_edit", args=["worker"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "display_name": "worker",
            "phone": "",
            "role": "social_worker",
            "area": areas.neighbour.pk,
        },
    )
    assert response.status_code == 302
    people["worker"].refresh_from_db()
    assert people["worker"].area == areas.neighbour


def test_street_staff_cannot_move_a_worker_into_another_street(areas, people):
    response = client_for(people["street"]).post(
        reverse("manage:user_edit", args=["worker"]),
        {"display_name": "worker", "phone": "", "role": "social_worker", "area": areas.far.pk},
    )
    assert response.status_code == 400
    people["worker"].refresh_from_db()
    assert people["worker"].area == areas.community


def test_a_worker_of_another_street_is_not_found(people):
    client = client_for(people["street"])
    assert client.get(reverse("manage:user_edit", args=["farworker"])).status_code == 404
    response = client.post(reverse("manage:user_deactivate", args=["farworker"]))
    assert response.status_code == 404
    people["far_worker"].refresh_from_db()
    assert people["far_worker"].is_active


def test_street_staff_deactivate_a_worker_and_its_tokens_go(people):
    api_token_issue(actor=people["worker"])
    response = client_for(people["street"]).post(reverse("manage:user_deactivate", args=["worker"]))
    assert response.status_code == 302
    people["worker"].refresh_from_db()
    assert not people["worker"].is_active
    assert not people["worker"].auth_token_set.exists()


def test_the_admin_cannot_change_their_own_role_on_the_page(areas, people):
    client = client_for(people["admin"])
    url = reverse("manage:user_edit", args=["admin"])
    page = client.get(url).content.decode()
    assert 'name="role"' not in page
    # A crafted post is held to the same fields: role and grants are ignored.
    client.post(
        url, {"display_name": "管", "phone": "", "role": "auditor", "grants": ["reveal_id_number"]}
    )
    people["admin"].refresh_from_db()
    assert people["admin"].role == Role.DISTRICT_ADMIN
    assert not people["admin"].user_permissions.exists()


def test_the_admin_adds_a_grid_and_renames_it(areas, people):
    client = client_for(people["admin"])
    assert client.get(reverse("manage:areas")).status_code == 200
    page = client.get(reverse("manage:area_create") + f"?parent={areas.community.code}")
    assert page.status_code == 200
    response = client.post(
        reverse("manage:area_create"),
        {"parent": areas.community.pk, "code": "320506001001002", "name": "狮林二网格"},
    )
    assert response.status_code == 302
    assert Area.objects.get(code="320506001001002").level == Area.Level.GRID
    response = client.post(
        reverse("manage:area_edit", args=["320506001001002"]), {"name": "狮林第二网格"}
    )
    assert response.status_code == 302
    assert Area.objects.get(code="320506001001002").name == "狮林第二网格"


def test_a_bad_code_is_explained_and_nothing_is_added(areas, people):
    response = client_for(people["admin"]).post(
        reverse("manage:area_create"),
        {"parent": areas.street.pk, "code": "320506002005", "name": "新社区"},
    )
    assert response.status_code == 400
    assert "须以上级" in response.content.decode()
    assert not Area.objects.filter(code="320506002005").exists()


def test_street_staff_may_not_keep_areas(areas, people):
    client = client_for(people["street"])
    assert client.get(reverse("manage:areas")).status_code == 403
    assert client.get(reverse("manage:area_edit", args=[areas.community.code])).status_code == 403


def test_an_area_of_another_district_is_not_found(people):
    alien = factories.area("320507000000", "相城区", Area.Level.DISTRICT)
    client = client_for(people["admin"])
    assert client.get(reverse("manage:area_edit", args=[alien.code])).status_code == 404


def test_the_menu_leads_keepers_to_their_pages(people):
    street = client_for(people["street"]).get(reverse("households:list")).content.decode()
    admin = client_for(people["admin"]).get(reverse("households:list")).content.decode()
    worker = client_for(people["worker"]).get(reverse("households:list")).content.decode()
    assert reverse("manage:users") in street and reverse("manage:areas") not in street
    assert reverse("manage:users") in admin and reverse("manage:areas") in admin
    assert reverse("manage:users") not in worker
