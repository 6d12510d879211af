"""Member and household forms record no guesses: relation has no default, a household has one
active 户主, and a new member's facts start as 未知."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from households import services
from households.forms import MemberForm
from households.models import Member
from tests import factories

pytestmark = pytest.mark.django_db


def _selected(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]*)"[^>]*selected', select).group(1)


def test_member_form_has_no_relation_until_one_is_chosen():
    form = MemberForm(factories.member_data(relation=""))
    assert not form.is_valid()
    assert "relation" in form.errors
    assert _selected(str(MemberForm()["relation"]), "relation") == ""


def test_new_member_form_starts_every_fact_as_unknown(client, personas, household):
    client.force_login(personas.caseworker)
    html = client.get(reverse("households:member_add", args=[household.uuid])).text
    for name in ("has_caregiver", "lives_alone"):
        assert _selected(html, name) == "unknown"
    for name in ("health", "labour_capacity", "employment", "schooling"):
        assert _selected(html, name) == "unknown"


def test_new_household_head_is_stored_with_unknown_facts(client, personas, areas):
    client.force_login(personas.caseworker)
    response = client.post(
        reverse("households:create"),
        {
            "household-area": areas.grid.pk,
            "household-address": "狮林寺巷12号",
            "head-name": "李阿婆",
            "head-id_number": factories.id_number(),
            "head-health": "unknown",
            "head-has_caregiver": "unknown",
            "head-labour_capacity": "unknown",
            "head-employment": "unknown",
            "head-schooling": "unknown",
            "head-lives_alone": "unknown",
            "head-monthly_income": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()
    head = Member.objects.get(name="李阿婆")
    assert head.has_caregiver is None and head.lives_alone is None
    assert head.labour_capacity == head.employment == head.health == "unknown"


def test_member_defaults_are_unknown_when_a_fact_is_not_given(household, personas):
    data = factories.member_data(name="赵大", relation="other")
    for name in ("health", "labour_capacity"):
        del data[name]
    member = services.member_add(actor=personas.caseworker, household=household, data=data)
    assert member.has_caregiver is None and member.lives_alone is None
    assert member.health == member.labour_capacity == member.employment == "unknown"


def test_a_second_active_head_is_refused_on_the_relation(household, personas):
    with pytest.raises(ValidationError) as caught:
        factories.member(household=household, actor=personas.caseworker, relation="head")
    assert "relation" in caught.value.message_dict
    assert "户主" in caught.value.message_dict["relation"][0]
    assert household.members.filter(relation="head").count() == 1


def test_changing_a_member_to_a_second_head_is_refused(household, personas):
    child = household.members.get(relation="child")
    with pytest.raises(ValidationError) as caught:
        services.member_update(actor=personas.caseworker, member=child, data={"relation": "head"})
    assert "relation" in caught.value.message_dict


def test_a_former_head_moved_out_leaves_room_for_a_new_one(household, personas):
    old = household.members.get(relation="head")
    services.member_update(actor=personas.caseworker, member=old, data={"status": "moved_out"})
    child = household.members.get(relation="child")
    services.member_update(actor=personas.caseworker, member=child, data={"relation": "head"})
    assert household.members.filter(relation="head", status="active").get() == child


def test_the_database_holds_one_active_head_per_household(household):
    child = household.members.get(relation="child")
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=child.pk).update(relation="head")


def test_member_page_shows_the_second_head_error_and_keeps_the_form(client, personas, household):
    client.force_login(personas.caseworker)
    data = factories.member_data(name="钱二", relation="head", monthly_income="0")
    data.update({"has_caregiver": "unknown", "lives_alone": "unknown", "employment": "unknown"})
    data["schooling"] = "unknown"
    response = client.post(reverse("households:member_add", args=[household.uuid]), data)
    assert response.status_code == 400
    assert 'id="id_relation_error"' in response.text
    assert "钱二" in response.text
