"""The provider portal: the need's text and quantity, and the household's full phone while
the provider is delivering (accepted), each view of it logged."""

import re

import pytest
from django.urls import reverse

from core.models import AccessLog
from households.services import household_update
from matching import services
from tests.factories import need as make_need

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def referral(personas, household, pool):
    household_update(actor=None, household=household, data={"phone": PHONE})
    need = make_need(household=household, description="老人独居，需要每周打扫一次", quantity=2)
    return services.referral_propose(actor=personas.caseworker, need=need, resource=pool.cleaning)


def _portal(client, user, tab):
    client.force_login(user)
    return client.get(reverse("matching:portal"), {"tab": tab})


def test_portal_shows_the_needs_text_and_quantity(client, personas, referral):
    text = _portal(client, personas.provider, "waiting").text
    assert "老人独居，需要每周打扫一次" in text
    assert "数量 2" in text


def test_portal_offers_the_call_only_once_accepted(client, personas, referral):
    phone_url = reverse("matching:portal_phone", args=[referral.uuid])
    waiting = _portal(client, personas.provider, "waiting").text
    assert phone_url not in waiting and PHONE not in waiting
    assert client.get(phone_url).status_code == 404
    services.referral_accept(actor=personas.provider, referral=referral)
    working = _portal(client, personas.provider, "working").text
    assert phone_url in working and PHONE not in working


def test_phone_page_shows_the_full_number_as_a_call_link_and_logs_it(client, personas, referral):
    services.referral_accept(actor=personas.provider, referral=referral)
    client.force_login(personas.provider)
    url = reverse("matching:portal_phone", args=[referral.uuid])
    response = client.get(url)
    assert response.status_code == 200
    assert f'href="tel:{PHONE}"' in response.text
    client.get(url)
    logs = AccessLog.objects.filter(action=AccessLog.Action.VIEW_PHONE)
    assert logs.count() == 2
    entry = logs.first()
    assert entry.actor == personas.provider
    assert entry.household_id == referral.household_id
    assert entry.area_code == referral.household.area_code


def test_phone_page_is_gone_once_delivered(client, personas, referral):
    services.referral_accept(actor=personas.provider, referral=referral)
    services.referral_deliver(actor=personas.provider, referral=referral)
    client.force_login(personas.provider)
    response = client.get(reverse("matching:portal_phone", args=[referral.uuid]))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action=AccessLog.Action.VIEW_PHONE).exists()


def test_phone_page_of_another_providers_referral_is_404(client, personas, household, pool):
    quilts = services.referral_propose(
        actor=None,
        need=make_need(household=household, type="survival", subtype="goods"),
        resource=pool.quilts,
    )
    services.referral_accept(actor=None, referral=quilts)
    client.force_login(personas.provider)
    response = client.get(reverse("matching:portal_phone", args=[quilts.uuid]))
    assert response.status_code == 404


def test_phone_page_is_only_for_providers(client, personas, referral):
    services.referral_accept(actor=personas.provider, referral=referral)
    client.force_login(personas.caseworker)
    response = client.get(reverse("matching:portal_phone", args=[referral.uuid]))
    assert response.status_code == 403


def test_each_portal_card_has_its_own_field_ids(client, personas, household, pool):
    """A label on the second card must focus the second card's field, not the first's."""
    for text in ("打扫卫生", "擦窗"):
        need = make_need(household=household, description=text)
        referral = services.referral_propose(
            actor=personas.caseworker, need=need, resource=pool.cleaning
        )
        services.referral_accept(actor=personas.provider, referral=referral)
    html = _portal(client, personas.provider, "working").text
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert [i for i in ids if ids.count(i) > 1] == []
    assert html.count('name="quantity"') == 2 and html.count('name="reason"') == 2
