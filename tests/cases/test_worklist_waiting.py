"""The worklist also shows what waits in matching/: help requests in the community inbox and
deliveries waiting for the worker's confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching import services
from tests.factories import need as make_need
from tests.factories.resources import pool  # noqa: F401 - the shared pool fixture

pytestmark = pytest.mark.django_db


def _worklist(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("cases:worklist"))
    assert response.status_code == 200
    return response.text


def test_a_help_request_in_the_inbox_is_on_the_worklist(client, personas, areas):
    services.help_request_submit(
        phone="13912345678", area=areas.community, type="survival", subtype="living"
    )
    text = _worklist(client, personas.caseworker)
    assert 'id="section-waiting"' in text and "求助待核实" in text
    assert "生存型·基本生活" in text or "（1）" in text


def test_a_delivery_waiting_for_confirmation_is_on_the_worklist(
    client,
    personas,
    household,
    pool,  # noqa: F811
):
    referral = services.referral_propose(
        actor=personas.caseworker, need=make_need(household=household), resource=pool.cleaning
    )
    services.referral_accept(actor=personas.provider, referral=referral)
    services.referral_deliver(actor=personas.provider, referral=referral)
    text = _worklist(client, personas.caseworker)
    assert "交付待回访确认" in text
    assert reverse("matching:referral", args=[referral.uuid]) in text


def test_another_communitys_requests_and_deliveries_are_not_shown(
    client, personas, areas, far_household
):
    services.help_request_submit(
        phone="13912345678", area=areas.far, type="survival", subtype="living"
    )
    text = _worklist(client, personas.caseworker)
    assert 'id="section-waiting"' not in text


def test_nothing_waiting_shows_no_section(client, personas, areas):
    assert 'id="section-waiting"' not in _worklist(client, personas.caseworker)
