"""A number active in a household out of scope: every such answer is logged and rate-limited."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from core.models import AccessLog
from households import clashes, idnumber
from households.models import Member
from tests import factories
from tests.households.test_api import member_body
from tests.households.test_views import _member_post

pytestmark = pytest.mark.django_db

CLASH = AccessLog.Action.ID_NUMBER_CLASH
LIMITED = AccessLog.Action.ID_NUMBER_CLASH_LIMITED


@pytest.fixture(autouse=True)
def _fresh_counts(personas):
    for user in vars(personas).values():
        cache.delete(clashes._key(user))


def _number(member) -> str:
    return idnumber.decrypt(member.id_number_cipher)


def _add_page(client, household, number):
    url = reverse("households:member_add", args=[household.uuid])
    return client.post(url, _member_post(id_number=number))


def _add_api(api_client, household, number):
    body = member_body(household=str(household.uuid), id_number=number)
    return api_client.post(reverse("api-households:member-list"), body, format="json")


def test_a_clash_on_the_page_is_logged_with_the_user(client, personas, household, far_household):
    client.force_login(personas.caseworker)
    response = _add_page(client, household, _number(far_household.head))
    assert response.status_code == 400 and "其他地区" in response.text
    entry = AccessLog.objects.get(action=CLASH)
    assert entry.actor == personas.caseworker and entry.username == "caseworker"
    assert entry.household_id == far_household.pk  # found by the household it points at
    assert entry.area_code == far_household.area_code


def test_a_clash_in_the_api_is_logged(api, personas, household, far_household):
    response = _add_api(api(personas.caseworker), household, _number(far_household.head))
    assert response.status_code == 400 and "其他地区" in str(response.json()["id_number"])
    assert AccessLog.objects.filter(action=CLASH, actor=personas.caseworker).count() == 1


def test_a_clash_in_scope_names_the_household_and_is_not_counted(client, personas, household):
    other = factories.household(area=household.area, actor=personas.caseworker, address="x号")
    client.force_login(personas.caseworker)
    response = _add_page(client, other, _number(household.head))
    assert response.status_code == 400 and "狮林寺巷8号" in response.text
    assert not AccessLog.objects.filter(action=CLASH).exists()


def test_registering_a_household_and_editing_a_member_log_their_clash_too(
    client, api, personas, household, far_household
):
    number = _number(far_household.head)
    client.force_login(personas.caseworker)
    member = household.members.get(name="王小明")
    edit = client.post(
        reverse("households:member_edit", args=[member.uuid]),
        _member_post(
            id_number=number,
            name=member.name,
            relation="child",
            version=member.version,
            status="active",
        ),
    )
    assert edit.status_code == 400 and "其他地区" in edit.text
    body = {
        "area": household.area.code,
        "address": "新地址1号",
        "head": {**member_body(id_number=number), "relation": "head"},
    }
    body["head"].pop("relation")
    created = api(personas.caseworker).post(
        reverse("api-households:household-list"), body, format="json"
    )
    assert created.status_code == 400, created.content
    assert AccessLog.objects.filter(action=CLASH, actor=personas.caseworker).count() == 2


@override_settings(ID_CLASH_LIMIT=3)
def test_past_the_limit_the_page_answers_429_and_then_refuses_any_new_number(
    client, personas, household, far_household
):
    number = _number(far_household.head)
    client.force_login(personas.caseworker)
    for _ in range(3):
        assert _add_page(client, household, number).status_code == 400
    over = _add_page(client, household, number)
    assert over.status_code == 429
    assert "暂停" in over.text and "不能重复登记" not in over.text
    assert over["Retry-After"] == "3600"
    # Over the limit a fresh number is refused as well: a refusal must not tell a clash apart.
    fresh = _add_page(client, household, factories.id_number(sex="F"))
    assert fresh.status_code == 429
    assert household.members.filter(status=Member.Status.ACTIVE).count() == 2
    assert AccessLog.objects.filter(action=CLASH).count() == 3  # the 4th was not looked up
    assert AccessLog.objects.filter(action=LIMITED, actor=personas.caseworker).count() == 2
    # Another user is not held back by the caseworker's count.
    client.force_login(personas.teammate)
    assert _add_page(client, household, number).status_code == 400


@override_settings(ID_CLASH_LIMIT=2)
def test_past_the_limit_the_api_answers_429_in_json(api, personas, household, far_household):
    client = api(personas.caseworker)
    number = _number(far_household.head)
    assert [_add_api(client, household, number).status_code for _ in range(2)] == [400, 400]
    over = _add_api(client, household, number)
    assert over.status_code == 429 and over["Retry-After"] == "3600"
    assert "暂停" in over.json()["detail"]
    assert AccessLog.objects.filter(action=LIMITED).count() == 1


@override_settings(ID_CLASH_LIMIT=1)
def test_the_limit_does_not_stop_edits_without_a_new_number(
    client, personas, household, far_household
):
    client.force_login(personas.caseworker)
    number = _number(far_household.head)
    assert _add_page(client, household, number).status_code == 400
    assert _add_page(client, household, number).status_code == 429
    member = household.members.get(name="王小明")
    post = _member_post(
        name="王晓明", relation="child", version=member.version, id_number="", status="active"
    )
    edit = client.post(reverse("households:member_edit", args=[member.uuid]), post)
    assert edit.status_code == 302
