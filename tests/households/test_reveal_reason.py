"""Revealing a full identity number asks for a reason (查看事由), which is logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AccessLog
from households import idnumber

pytestmark = pytest.mark.django_db

REVEALS = AccessLog.objects.filter(action=AccessLog.Action.REVEAL_ID)


def _page(member):
    return reverse("households:member_reveal", args=[member.uuid])


def _api(member):
    return reverse("api-households:member-reveal-id-number", args=[member.uuid])


def test_the_household_page_asks_for_the_reason(client, personas, household):
    client.force_login(personas.admin)
    text = client.get(reverse("households:detail", args=[household.uuid])).content.decode()
    assert "查看事由" in text and 'name="reason" required' in text


def test_the_page_logs_the_reason(client, personas, household):
    member = household.head
    client.force_login(personas.admin)
    response = client.post(_page(member), {"reason": "  核对低保\n申请材料 "})
    assert response.status_code == 200
    assert idnumber.decrypt(member.id_number_cipher) in response.content.decode()
    assert REVEALS.get().detail == {"reason": "核对低保 申请材料"}


@pytest.mark.parametrize("reason", [None, "", "   ", "很" * 101])
def test_the_page_refuses_no_reason_and_shows_nothing(client, personas, household, reason):
    member = household.head
    client.force_login(personas.admin)
    response = client.post(_page(member), {} if reason is None else {"reason": reason})
    assert response.status_code == 400
    text = response.content.decode()
    assert idnumber.decrypt(member.id_number_cipher) not in text
    assert "查看事由" in text and 'name="reason"' in text  # the form again, to fill in
    assert not REVEALS.exists()


def test_the_api_logs_the_reason(api, personas, household):
    member = household.head
    response = api(personas.admin).post(_api(member), {"reason": "入户核查"}, format="json")
    assert response.status_code == 200
    assert REVEALS.get().detail["reason"] == "入户核查"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "很" * 101}])
def test_the_api_refuses_no_reason(api, personas, household, body):
    response = api(personas.admin).post(_api(household.head), body, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert "id_number" not in response.json() and not REVEALS.exists()


def test_without_the_permission_it_is_403_whatever_the_reason(api, client, personas, household):
    assert api(personas.viewer).post(_api(household.head), {}, format="json").status_code == 403
    client.force_login(personas.caseworker)
    assert client.post(_page(household.head), {}).status_code == 403
