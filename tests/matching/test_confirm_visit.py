"""Confirming a delivery at a visit (回访确认): the visit is linked, and a wrong field shows its
own error with everything typed kept."""

import re

import pytest
from django.urls import reverse

from matching import services
from matching.models import Need, Referral
from tests.factories import days_ago, local
from tests.factories import need as make_need
from tests.factories import visit as log_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(personas, household, pool):
    need = make_need(household=household, description="老人独居，需要打扫")
    referral = services.referral_propose(
        actor=personas.caseworker, need=need, resource=pool.cleaning
    )
    services.referral_accept(actor=personas.provider, referral=referral)
    # Delivered before the visits the tests log (a confirmation's visit follows the delivery).
    return services.referral_deliver(
        actor=personas.provider, referral=referral, delivered_on=days_ago(12)
    )


def test_confirm_links_the_chosen_visit(client, personas, household, delivered):
    visit = log_visit(household=household, actor=personas.caseworker)
    client.force_login(personas.caseworker)
    response = client.post(
        reverse("matching:referral_confirm", args=[delivered.uuid]),
        {"outcome": "met", "satisfaction": "4", "visit": str(visit.pk), "note": "已上门确认"},
    )
    assert response.status_code == 302
    delivered.refresh_from_db()
    assert delivered.status == Referral.Status.CONFIRMED
    assert delivered.confirmation_visit == visit
    assert delivered.need.status == Need.Status.MET


def test_confirm_offers_the_ten_latest_visits(client, personas, household, delivered):
    visits = [
        log_visit(household=household, actor=personas.caseworker, on=days_ago(n))
        for n in range(11, 0, -1)
    ]
    client.force_login(personas.caseworker)
    page = client.get(reverse("matching:referral", args=[delivered.uuid]))
    select = re.search(r'<select name="visit".*?</select>', page.text, re.S).group(0)
    offered = re.findall(r'value="(\d+)"', select)
    assert offered == [str(v.pk) for v in reversed(visits[1:])]


def test_confirm_with_a_bad_visit_shows_the_visit_error_and_keeps_the_typed_values(
    client, personas, household, delivered, far_household
):
    log_visit(household=household, actor=personas.caseworker)
    client.force_login(personas.caseworker)
    response = client.post(
        reverse("matching:referral_confirm", args=[delivered.uuid]),
        {"outcome": "partly", "satisfaction": "3", "visit": "999999", "note": "还需再来一次"},
    )
    assert response.status_code == 400
    text = response.text
    assert "请选择帮扶效果" not in text
    assert 'id="id_visit_error"' in text
    assert "还需再来一次" in text
    assert re.search(r'<input[^>]*value="partly"[^>]*checked', text)
    delivered.refresh_from_db()
    assert delivered.status == Referral.Status.DELIVERED


def test_confirm_without_an_outcome_names_the_outcome_only(client, personas, delivered):
    client.force_login(personas.caseworker)
    response = client.post(
        reverse("matching:referral_confirm", args=[delivered.uuid]),
        {"satisfaction": "5", "note": "说明保留"},
    )
    assert response.status_code == 400
    assert 'id="id_outcome_error"' in response.text
    assert 'id="id_visit_error"' not in response.text
    assert "说明保留" in response.text


def test_confirm_out_of_scope_is_404(client, personas, delivered):
    client.force_login(personas.outsider)
    url = reverse("matching:referral_confirm", args=[delivered.uuid])
    assert client.post(url, {"outcome": "met"}).status_code == 404


def test_confirm_offers_no_visit_from_before_the_delivery(client, personas, household, pool):
    """The visit that found the need, made before the delivery, is not its follow-up."""
    before = log_visit(household=household, actor=personas.caseworker, on=days_ago(3))
    need = make_need(household=household, description="需要助浴")
    referral = services.referral_propose(
        actor=personas.caseworker, need=need, resource=pool.cleaning
    )
    services.referral_accept(actor=personas.provider, referral=referral)
    services.referral_deliver(actor=personas.provider, referral=referral, delivered_on=days_ago(1))
    after = log_visit(
        household=household, actor=personas.caseworker, visited_at=local(days_ago(1), 9, 30)
    )
    client.force_login(personas.caseworker)
    page = client.get(reverse("matching:referral", args=[referral.uuid]))
    select = re.search(r'<select name="visit".*?</select>', page.text, re.S).group(0)
    assert re.findall(r'value="(\d+)"', select) == [str(after.pk)]
    assert f"{days_ago(1):%Y-%m-%d} 09:30" in select  # the time tells same-day visits apart
    response = client.post(
        reverse("matching:referral_confirm", args=[referral.uuid]),
        {"outcome": "met", "visit": str(before.pk)},
    )
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DELIVERED
