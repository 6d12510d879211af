"""Lookup by identity number is a POST: no full number in any URL the app makes or takes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from households import idnumber
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("households:list")
SEARCH = reverse("households:id_search")
API_HOUSEHOLDS = reverse("api-households:household-search")
API_MEMBERS = reverse("api-households:member-search")
URL_ATTRS = re.compile(r'(?:href|action|src|formaction)="([^"]*)"')


def _number(member) -> str:
    return idnumber.decrypt(member.id_number_cipher)


def _urls(response) -> list[str]:
    found = URL_ATTRS.findall(response.content.decode())
    return [*found, response.get("Location", "")]


# ---- pages --------------------------------------------------------------------------------


def test_the_page_finds_a_household_by_number_through_post(client, personas, household):
    child = household.members.get(name="王小明")
    factories.household(area=household.area, address="别处2号")
    client.force_login(personas.caseworker)
    response = client.post(SEARCH, {"id_number": _number(child)})
    assert response.status_code == 200
    assert "狮林寺巷8号" in response.text and "别处2号" not in response.text
    assert response["Cache-Control"] == "no-store"
    assert _number(child) not in response.text  # not echoed back into the form either


def test_spaces_and_a_lower_case_x_are_forgiven(client, personas, household):
    number = factories.id_number()
    while not number.endswith("X"):
        number = factories.id_number()
    factories.member(household=household, id_number=number, name="陈")
    client.force_login(personas.caseworker)
    spaced = f" {number[:6]} {number[6:-1]}x "
    assert "狮林寺巷8号" in client.post(SEARCH, {"id_number": spaced}).text


def test_the_page_search_is_scoped(client, personas, household, far_household):
    client.force_login(personas.caseworker)
    response = client.post(SEARCH, {"id_number": _number(far_household.head)})
    assert response.status_code == 200 and "南门路1号" not in response.text
    client.force_login(personas.provider)
    response = client.post(SEARCH, {"id_number": _number(household.head)})
    assert response.status_code == 200 and "狮林寺巷8号" not in response.text


def test_a_bad_number_is_a_clear_400(client, personas, household):
    client.force_login(personas.caseworker)
    response = client.post(SEARCH, {"id_number": "12345"})
    assert response.status_code == 400 and "18位" in response.text
    assert "狮林寺巷8号" not in response.text


def test_the_search_is_post_only_and_needs_a_login(client, personas):
    assert client.post(SEARCH, {"id_number": "x"})["Location"].startswith(reverse("login"))
    client.force_login(personas.caseworker)
    assert client.get(SEARCH).status_code == 405


def test_the_search_needs_the_csrf_token(personas, household):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.caseworker)
    assert client.post(SEARCH, {"id_number": _number(household.head)}).status_code == 403


def test_a_number_in_the_list_query_is_refused_and_not_echoed(client, personas, household):
    number = _number(household.head)
    client.force_login(personas.caseworker)
    response = client.get(LIST, {"q": number, "status": "active"})
    assert response.status_code == 400
    assert "按身份证号查找" in response.text
    assert number not in response.text  # not in the search box, not in any link
    assert "狮林寺巷8号" not in response.text  # and nothing was looked up by it


def test_no_url_the_pages_make_carries_an_identity_number(client, personas, household):
    """List pages (with pager links), the lookup, the household's pages: no number in a URL."""
    for i in range(30):
        factories.household(area=household.area, address=f"狮林新村{i}号")
    numbers = [_number(m) for m in household.members.all()]
    client.force_login(personas.caseworker)
    responses = [
        client.get(LIST),
        client.get(LIST, {"q": "狮林"}),
        client.get(LIST, {"q": numbers[0]}),
        client.post(SEARCH, {"id_number": numbers[0]}),
        client.post(SEARCH, {"id_number": numbers[0][:-1]}),
        client.get(reverse("households:detail", args=[household.uuid])),
        client.get(reverse("households:history", args=[household.uuid])),
        client.get(reverse("households:edit", args=[household.uuid])),
        client.get(reverse("households:member_edit", args=[household.head.uuid])),
    ]
    first = client.get(LIST, {"q": "狮林"})
    assert "after=" in first.text  # there is a pager, and its links are checked
    responses.append(client.get(LIST, {"q": "狮林", "after": first.context["page"].next_cursor}))
    urls = [u for r in responses for u in _urls(r)]
    assert any("after=" in u for u in urls)
    for number in numbers:
        assert not [u for u in urls if number in u or number[:17] in u]


# ---- API ----------------------------------------------------------------------------------


def test_api_lists_refuse_a_number_in_the_query(api, personas, household):
    client = api(personas.caseworker)
    number = _number(household.head)
    for name in ("household-list", "member-list"):
        response = client.get(reverse(f"api-households:{name}"), {"q": number})
        assert response.status_code == 400 and "q" in response.json()
    assert client.get(reverse("api-households:household-list"), {"q": "王"}).status_code == 200


def test_api_finds_households_and_members_by_post(api, personas, household):
    child = household.members.get(name="王小明")
    client = api(personas.viewer)  # the auditor reads
    found = client.post(API_HOUSEHOLDS, {"id_number": _number(child)}, format="json")
    assert found.status_code == 200
    assert [h["uuid"] for h in found.json()["results"]] == [str(household.uuid)]
    members = client.post(API_MEMBERS, {"id_number": _number(child)}, format="json")
    assert [m["uuid"] for m in members.json()["results"]] == [str(child.uuid)]
    assert _number(child) not in members.content.decode()


def test_api_search_is_scoped(api, personas, far_household):
    number = _number(far_household.head)
    for user in (personas.caseworker, personas.provider, personas.no_area):
        for url in (API_HOUSEHOLDS, API_MEMBERS):
            response = api(user).post(url, {"id_number": number}, format="json")
            assert response.status_code == 200 and response.json() == {"results": []}


def test_api_search_refuses_bad_input(api, personas):
    client = api(personas.caseworker)
    for body in ({}, {"id_number": "320506"}, {"id_number": "32050619600517001A"}):
        response = client.post(API_HOUSEHOLDS, body, format="json")
        assert response.status_code == 400 and "id_number" in response.json()


def test_api_search_is_post_only(api, personas):
    assert api(personas.caseworker).get(API_MEMBERS).status_code == 405
    assert api(None).post(API_MEMBERS, {"id_number": "x"}, format="json").status_code in (401, 403)
