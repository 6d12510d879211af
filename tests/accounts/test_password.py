"""Changing one's own password, and the change an account an admin made must have first."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.services import api_token_issue, user_password_set
from demo.setup import ensure_users
from households.models import User
from tests import factories

pytestmark = pytest.mark.django_db

NEW = "换一个-Strong-密码-2026"


def _change(client, old, new1, new2=None):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def _api_status(client, key):
    url = reverse("api-households:area-list")
    return client.get(url, HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def root(areas):
    return factories.user(
        "root", role="district_admin", area=areas.district, is_staff=True, is_superuser=True
    )


def test_the_page_is_in_the_site_layout_and_linked_from_every_page(client, personas):
    client.force_login(personas.caseworker)
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "修改密码" in page and 'name="viewport"' in page and "site-header" in page
    home = client.get(reverse("households:list")).content.decode()
    assert reverse("accounts:password_change") in home
    assert reverse("accounts:tokens") in home


def test_a_user_changes_their_password_and_stays_signed_in(client, personas):
    client.force_login(personas.caseworker)
    _token, key = api_token_issue(actor=personas.caseworker)
    response = _change(client, "pw-caseworker", NEW)
    assert response.status_code == 302
    user = User.objects.get(pk=personas.caseworker.pk)
    assert user.check_password(NEW)
    assert client.get(reverse("households:list")).status_code == 200  # still signed in
    assert _api_status(client, key).status_code == 401  # tokens end with the old password


@pytest.mark.parametrize(
    ("old", "new1", "new2", "field"),
    [
        ("wrong", NEW, NEW, "old_password"),
        ("pw-caseworker", NEW, NEW + "x", "new_password2"),
        ("pw-caseworker", "12345678", "12345678", "new_password2"),
        ("pw-caseworker", "pw-caseworker", "pw-caseworker", "new_password2"),
    ],
)
def test_a_bad_change_says_why_and_changes_nothing(client, personas, old, new1, new2, field):
    client.force_login(personas.caseworker)
    response = _change(client, old, new1, new2)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert User.objects.get(pk=personas.caseworker.pk).check_password("pw-caseworker")


def test_the_page_needs_a_signed_in_user(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ---- accounts an admin made ------------------------------------------------------------


def test_a_user_an_admin_creates_must_change_the_password(client, root):
    client.force_login(root)
    response = client.post(
        reverse("admin:households_user_add"),
        {
            "username": "newcomer",
            "password1": "Temp-密码-2026!",
            "password2": "Temp-密码-2026!",
            "usable_password": "true",
            "display_name": "新同事",
            "role": "social_worker",
            "area": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(username="newcomer").must_change_password


def test_a_password_an_admin_sets_must_be_changed_and_ends_tokens(client, root, personas):
    _token, key = api_token_issue(actor=personas.caseworker)
    client.force_login(root)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[personas.caseworker.pk]),
        {"password1": "Temp-密码-2026!", "password2": "Temp-密码-2026!", "usable_password": "true"},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=personas.caseworker.pk)
    assert user.must_change_password and user.check_password("Temp-密码-2026!")
    assert _api_status(client, key).status_code == 401


def test_an_admin_setting_their_own_password_is_not_held_to_change_it(client, root):
    client.force_login(root)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "Own-密码-2026!", "password2": "Own-密码-2026!", "usable_password": "true"},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=root.pk)
    assert user.check_password("Own-密码-2026!") and not user.must_change_password


def test_until_changed_every_page_leads_to_the_password_page(client, personas):
    user_password_set(actor=None, user=personas.caseworker, password="Temp-密码-2026!")
    assert (
        client.post(
            reverse("login"), {"username": "caseworker", "password": "Temp-密码-2026!"}
        ).status_code
        == 302
    )
    for name in ("households:list", "cases:worklist", "accounts:tokens", "admin:index"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("accounts:password_change"), name
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and "临时密码" in page.content.decode()
    assert _change(client, "Temp-密码-2026!", NEW).status_code == 302
    assert not User.objects.get(pk=personas.caseworker.pk).must_change_password
    assert client.get(reverse("households:list")).status_code == 200


def test_until_changed_the_api_answers_403_saying_why(client, api, personas):
    user_password_set(actor=None, user=personas.caseworker, password="Temp-密码-2026!")
    refused = client.post(
        reverse("api-token"), {"username": "caseworker", "password": "Temp-密码-2026!"}
    )
    assert refused.status_code == 403
    assert "修改密码" in refused.json()["detail"]
    user = User.objects.get(pk=personas.caseworker.pk)
    response = api(user).get(reverse("api-households:area-list"))
    assert response.status_code == 403
    assert "修改密码" in response.json()["detail"]


def test_signing_out_stays_open_to_a_user_who_must_change(client, personas):
    user_password_set(actor=None, user=personas.caseworker, password="Temp-密码-2026!")
    client.force_login(User.objects.get(pk=personas.caseworker.pk))
    assert client.post(reverse("logout")).status_code == 302
    assert SESSION_KEY not in client.session


def test_demo_users_are_not_held_to_change_their_password(areas):
    tree = [areas.district, areas.street, areas.community]
    ensure_users({area.code: area for area in tree})
    assert User.objects.filter(username__in=["worker", "admin", "auditor"]).count() == 3
    assert not User.objects.filter(must_change_password=True).exists()
