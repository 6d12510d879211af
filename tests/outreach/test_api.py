"""/api/v1/policy-rules/, /api/v1/leads/ and /api/v1/exit-flags/: scope, roles, shapes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from outreach.models import ExitFlag, Lead, PolicyRule
from tests import factories
from tests.outreach.conftest import change, rule, screen

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas, policies):
    """A grade-1 disabled member at home (狮林) and one in the other street (南门), both found
    by the care rule; a 低保 household at home whose income is above the line."""
    care = rule(policies.care, "disability", types=["physical"], max_grade=2)
    home = factories.household(area=areas.grid, address="狮林寺巷8号")
    factories.member(household=home, name="李四", disability_type="physical", disability_grade=1)
    far = factories.household(area=areas.far, address="南门路1号")
    factories.member(household=far, name="赵六", disability_type="physical", disability_grade=1)
    rich = factories.household(area=areas.grid)
    factories.enrolment(household=rich, category="dibao")
    change(rich.head, monthly_income=Decimal("3000"))
    screen()
    return {
        "home": Lead.objects.get(household=home),
        "far": Lead.objects.get(household=far),
        "flag": ExitFlag.objects.get(household=rich),
        "rule": care,
    }


def _uuids(response) -> set[str]:
    return {row["uuid"] for row in response.json()["results"]}


def test_leads_list_only_the_actors_scope(api, personas, world):
    url = reverse("api-outreach:lead-list")
    assert _uuids(api(personas.caseworker).get(url)) == {str(world["home"].uuid)}
    assert _uuids(api(personas.outsider).get(url)) == {str(world["far"].uuid)}
    assert _uuids(api(personas.admin).get(url)) == {str(world["home"].uuid), str(world["far"].uuid)}
    assert _uuids(api(personas.provider).get(url)) == set()
    assert _uuids(api(personas.no_area).get(url)) == set()
    row = api(personas.caseworker).get(url).json()["results"][0]
    assert row["reason"] == "家中有一级至二级肢体残疾成员，未享受重度残疾人护理补贴"
    assert (row["member"]["name"], row["state"], row["policy"]["name"]) == (
        "李四",
        "open",
        "重度残疾人护理补贴",
    )


def test_leads_filter_by_state_and_policy(api, personas, policies, world):
    url = reverse("api-outreach:lead-list")
    client = api(personas.admin)
    assert _uuids(client.get(url, {"state": "dismissed"})) == set()
    assert len(_uuids(client.get(url, {"policy": str(policies.care.uuid)}))) == 2
    assert _uuids(client.get(url, {"area": "320506002001"})) == {str(world["far"].uuid)}
    assert client.get(url, {"state": "nonsense"}).status_code == 400


def test_a_lead_of_another_street_reads_as_not_found(api, personas, world):
    far = world["far"]
    client = api(personas.caseworker)
    assert client.get(reverse("api-outreach:lead-detail", args=[far.uuid])).status_code == 404
    for name in ("api-outreach:lead-act", "api-outreach:lead-dismiss"):
        response = client.post(reverse(name, args=[far.uuid]), {"reason": "x"}, format="json")
        assert response.status_code == 404
    far.refresh_from_db()
    assert far.state == Lead.State.OPEN


def test_the_auditor_reads_leads_but_may_not_work_them(api, personas, world):
    lead = world["home"]
    client = api(personas.viewer)
    assert client.get(reverse("api-outreach:lead-detail", args=[lead.uuid])).status_code == 200
    url = reverse("api-outreach:lead-dismiss", args=[lead.uuid])
    assert client.post(url, {"reason": "x"}, format="json").status_code == 403


def test_acting_on_a_lead_makes_a_need_and_a_referral(api, personas, world):
    lead = world["home"]
    url = reverse("api-outreach:lead-act", args=[lead.uuid])
    response = api(personas.caseworker).post(url, {"urgency": 3}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "acted" and body["need"] and body["referral"]
    again = api(personas.caseworker).post(url, {}, format="json")
    assert again.status_code == 400


def test_dismissing_needs_a_reason(api, personas, world):
    url = reverse("api-outreach:lead-dismiss", args=[world["home"].uuid])
    client = api(personas.caseworker)
    assert client.post(url, {"reason": ""}, format="json").status_code == 400
    response = client.post(url, {"reason": "已在外地享受"}, format="json")
    assert (response.status_code, response.json()["dismiss_reason"]) == (200, "已在外地享受")


def test_policy_rules_read_in_scope_and_kept_by_the_pool_keepers(api, personas, policies, world):
    url = reverse("api-outreach:policy-rule-list")
    assert str(world["rule"].uuid) in _uuids(api(personas.caseworker).get(url))
    assert _uuids(api(personas.provider).get(url)) == set()
    body = {"policy": str(policies.care.uuid), "code": "age", "params": {"min_age": 60}}
    assert api(personas.caseworker).post(url, body, format="json").status_code == 403
    created = api(personas.admin).post(url, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["params"] == {"min_age": 60, "max_age": 120}
    assert created.json()["words"] == "年满60周岁"
    bad = api(personas.admin).post(url, {**body, "params": {"min_age": 500}}, format="json")
    assert bad.status_code == 400
    far_body = {**body, "policy": str(policies.far.uuid)}
    assert api(personas.caseworker).post(url, far_body, format="json").status_code == 404


def test_a_policy_rule_is_updated_with_its_version(api, personas, world):
    rule_ = world["rule"]
    url = reverse("api-outreach:policy-rule-detail", args=[rule_.uuid])
    stale = api(personas.admin).patch(url, {"active": False, "version": 99}, format="json")
    assert stale.status_code == 409
    ok = api(personas.admin).patch(url, {"active": False, "version": 1}, format="json")
    assert (ok.status_code, ok.json()["active"]) == (200, False)
    assert PolicyRule.objects.get(pk=rule_.pk).active is False
    denied = api(personas.caseworker).patch(url, {"active": True, "version": 2}, format="json")
    assert denied.status_code == 403


def test_exit_flags_in_scope_and_resolved_with_a_note(api, personas, world):
    flag = world["flag"]
    url = reverse("api-outreach:exit-flag-list")
    assert _uuids(api(personas.caseworker).get(url)) == {str(flag.uuid)}
    assert _uuids(api(personas.outsider).get(url)) == set()
    resolve = reverse("api-outreach:exit-flag-resolve", args=[flag.uuid])
    assert api(personas.outsider).post(resolve, {"note": "x"}, format="json").status_code == 404
    assert api(personas.viewer).post(resolve, {"note": "x"}, format="json").status_code == 403
    done = api(personas.caseworker).post(resolve, {"note": "已安排复核"}, format="json")
    assert (done.status_code, done.json()["state"]) == (200, "resolved")
