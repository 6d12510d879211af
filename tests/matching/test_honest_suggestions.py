"""Suggestions say only what is true: a resource already serving the household for the same
type of need is flagged (and left out by default), and 此前未获帮扶 only for a household
that has had no help and has none under way."""

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import engine, services
from matching.candidates import need_suggestions
from tests.factories import need as make_need

pytestmark = pytest.mark.django_db

NEVER = "此前未获帮扶，优先"


def _names(rows):
    return [row.info.name for row in rows]


def _texts(row):
    return [text for text, _points in row.reasons]


@pytest.fixture
def serving(personas, household, pool):
    """Cleaning already serves the household for a care need (accepted, not delivered)."""
    first = make_need(household=household, description="打扫")
    referral = services.referral_propose(
        actor=personas.caseworker, need=first, resource=pool.cleaning
    )
    return services.referral_accept(actor=personas.provider, referral=referral)


def test_a_resource_serving_the_household_for_the_same_type_is_left_out(household, serving):
    second = make_need(household=household, subtype="daily_care", description="再打扫")
    assert "居家保洁" not in _names(need_suggestions(second, today=timezone.localdate()))


def test_asked_for_it_is_shown_flagged(household, serving):
    second = make_need(household=household, description="再打扫")
    rows = need_suggestions(second, today=timezone.localdate(), include_serving=True)
    flagged = [row for row in rows if row.info.name == "居家保洁"]
    assert flagged and flagged[0].serving
    assert not any(row.serving for row in rows if row.info.name != "居家保洁")


def test_a_resource_serving_another_type_of_need_is_not_flagged(household, serving, pool):
    goods = make_need(household=household, type="survival", subtype="goods")
    rows = need_suggestions(goods, today=timezone.localdate())
    assert _names(rows) == ["棉被"] and not rows[0].serving


def test_need_page_says_what_it_left_out_and_shows_it_flagged(client, personas, household, serving):
    second = make_need(household=household, description="再打扫")
    client.force_login(personas.caseworker)
    url = reverse("matching:need", args=[second.uuid])
    page = client.get(url).text
    assert "已略去正在为本户提供同类帮扶的资源" in page and 'href="?serving=1"' in page
    shown = client.get(url, {"serving": "1"}).text
    assert "已在为本户提供同类帮扶" in shown


def test_api_flags_serving_resources_when_asked(api, personas, household, serving):
    second = make_need(household=household, description="再打扫")
    url = reverse("api-matching:need-suggestions", args=[second.uuid])
    plain = api(personas.caseworker).get(url).json()
    assert all(not row["serving"] for row in plain)
    assert "居家保洁" not in [row["name"] for row in plain]
    asked = api(personas.caseworker).get(url, {"include_serving": "true"}).json()
    assert [row["serving"] for row in asked if row["name"] == "居家保洁"] == [True]


def test_never_helped_only_for_a_household_without_help(household, pool):
    rows = need_suggestions(make_need(household=household), today=timezone.localdate())
    assert NEVER in _texts(rows[0])


def test_help_under_way_is_not_called_never_helped(household, serving):
    goods = make_need(household=household, type="survival", subtype="goods")
    texts = _texts(need_suggestions(goods, today=timezone.localdate())[0])
    assert NEVER not in texts
    assert "本户正在接受帮扶（转介办理中）" in texts


def test_help_delivered_is_not_called_never_helped(personas, household, serving):
    services.referral_deliver(actor=personas.provider, referral=serving)
    goods = make_need(household=household, type="survival", subtype="goods")
    texts = _texts(need_suggestions(goods, today=timezone.localdate())[0])
    assert NEVER not in texts
    assert "距上次获帮扶 0 天" in texts


def test_engine_gives_no_never_helped_points_to_help_under_way():
    need = engine.NeedIn(1, "care", "daily_care", "320506001001", being_helped=True)
    assert engine.fairness_points(need) == 0
    codes = [reason.code for reason in engine.explain(need, _resource())]
    assert "being_helped" in codes and "fairness" not in codes


def _resource():
    return engine.ResourceIn(1, "service", "320506001001", frozenset({"care"}), remaining=3)
