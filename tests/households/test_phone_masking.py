"""The auditor sees every phone number masked, as exports show it: pages, API and history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.masking import masks_phones, phone_for
from households import services
from tests import factories

pytestmark = pytest.mark.django_db

PHONE, MASKED = "13812345678", "138****5678"
NEW_PHONE, NEW_MASKED = "13998765432", "139****5432"


@pytest.fixture
def home(areas, personas):
    home = factories.household(
        area=areas.grid, actor=personas.caseworker, address="狮林寺巷9号", phone=PHONE
    )
    services.member_update(actor=personas.caseworker, member=home.head, data={"phone": PHONE})
    services.household_update(actor=personas.caseworker, household=home, data={"phone": NEW_PHONE})
    home.refresh_from_db()
    return home


def test_one_rule_decides(personas):
    assert masks_phones(personas.viewer)
    for user in (personas.caseworker, personas.supervisor, personas.admin):
        assert not masks_phones(user)
    assert phone_for(personas.viewer, PHONE) == MASKED
    assert phone_for(personas.caseworker, PHONE) == PHONE


@pytest.mark.parametrize("page", ["households:detail", "households:history"])
def test_the_auditor_sees_masked_phones_on_household_pages(client, personas, home, page):
    client.force_login(personas.viewer)
    text = client.get(reverse(page, args=[home.uuid])).content.decode()
    assert PHONE not in text and NEW_PHONE not in text
    assert NEW_MASKED in text
    if page == "households:history":
        assert MASKED in text  # the old value of the change, masked too


@pytest.mark.parametrize("page", ["households:detail", "households:history"])
def test_a_worker_still_sees_the_full_phone(client, personas, home, page):
    client.force_login(personas.caseworker)
    assert NEW_PHONE in client.get(reverse(page, args=[home.uuid])).content.decode()


def test_the_auditor_sees_masked_phones_in_the_api(api, personas, home):
    client = api(personas.viewer)
    household = client.get(reverse("api-households:household-detail", args=[home.uuid])).json()
    assert household["phone"] == NEW_MASKED
    assert [m["phone"] for m in household["members"]] == [MASKED]
    member = client.get(reverse("api-households:member-detail", args=[home.head.uuid])).json()
    assert member["phone"] == MASKED
    assert PHONE not in str(household) and NEW_PHONE not in str(household)


def test_a_worker_still_gets_the_full_phone_from_the_api(api, personas, home):
    client = api(personas.caseworker)
    household = client.get(reverse("api-households:household-detail", args=[home.uuid])).json()
    assert household["phone"] == NEW_PHONE and household["members"][0]["phone"] == PHONE
