"""Phone use on the household page, and 临时救助's amount read as paid once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from households.services import household_update
from tests import factories

pytestmark = pytest.mark.django_db


def _detail(client, user, household) -> str:
    client.force_login(user)
    return client.get(reverse("households:detail", args=[household.uuid])).text


def test_household_phone_is_a_call_link(client, personas, household):
    household_update(actor=None, household=household, data={"phone": "13912345678"})
    assert 'href="tel:13912345678"' in _detail(client, personas.caseworker, household)


def test_linshi_shows_a_one_off_amount(client, personas, household):
    factories.enrolment(
        household=household,
        category="linshi",
        end_date=dt.date(2026, 2, 1),
        monthly_amount=Decimal("2000"),
    )
    text = _detail(client, personas.caseworker, household)
    assert "一次性救助金额 2000" in text
    assert "月救助金额" not in text


def test_dibao_still_shows_a_monthly_amount(client, personas, household):
    factories.enrolment(household=household, category="dibao", monthly_amount=Decimal("860"))
    assert "月救助金额 860" in _detail(client, personas.caseworker, household)
