"""The pages: the lead list with its two actions, the flags, the policies' rule editor (a
form, never JSON) and the worklist's 政策找人 section."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outreach.models import Lead, PolicyRule
from tests import factories
from tests.dashboard.conftest import replica_is_default  # noqa: F401 — autouse: reads
from tests.outreach.conftest import rule, screen

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(areas, policies):
    rule(policies.care, "disability", types=["physical"], max_grade=2)
    home = factories.household(area=areas.grid, address="狮林寺巷8号")
    factories.member(household=home, name="李四", disability_type="physical", disability_grade=2)
    screen()
    return Lead.objects.get()


def test_the_lead_list_shows_the_reason_and_the_actions(client, personas, lead):
    client.force_login(personas.caseworker)
    text = client.get(reverse("outreach:leads")).content.decode()
    assert "家中有一级至二级肢体残疾成员，未享受重度残疾人护理补贴" in text
    assert "登记需求并转介" in text and "确认忽略" in text
    client.force_login(personas.viewer)
    text = client.get(reverse("outreach:leads")).content.decode()
    assert "李四" in text and "登记需求并转介" not in text
    client.force_login(personas.outsider)
    assert "李四" not in client.get(reverse("outreach:leads")).content.decode()


def test_the_worklist_shows_open_leads(client, personas, lead):
    client.force_login(personas.caseworker)
    text = client.get(reverse("cases:worklist")).content.decode()
    assert 'id="section-leads"' in text and "重度残疾人护理补贴" in text


def test_acting_from_the_page_goes_to_the_referral(client, personas, lead):
    client.force_login(personas.caseworker)
    url = reverse("outreach:lead_act", args=[lead.uuid])
    assert client.get(url).status_code == 405
    response = client.post(url, {"urgency": "2", "note": ""})
    lead.refresh_from_db()
    assert lead.state == Lead.State.ACTED
    assert response.url == reverse("matching:referral", args=[lead.referral.uuid])


def test_dismissing_from_the_page_keeps_the_reason(client, personas, lead):
    client.force_login(personas.caseworker)
    url = reverse("outreach:lead_dismiss", args=[lead.uuid])
    client.post(url, {"reason": ""})
    lead.refresh_from_db()
    assert lead.state == Lead.State.OPEN
    client.post(url, {"reason": "本人不愿申请"})
    lead.refresh_from_db()
    assert (lead.state, lead.dismiss_reason) == (Lead.State.DISMISSED, "本人不愿申请")
    text = client.get(reverse("outreach:leads") + "?state=dismissed").content.decode()
    assert "本人不愿申请" in text


def test_the_rule_editor_is_a_form_in_words(client, personas, policies, lead):
    client.force_login(personas.admin)
    text = client.get(reverse("outreach:policies")).content.decode()
    assert "残疾类别和等级：一级至二级肢体残疾" in text
    url = reverse("outreach:rule_create", args=[policies.elderly.uuid]) + "?code=age"
    form = client.get(url).content.decode()
    assert 'name="p_min_age"' in form and "{" not in form.split("<form")[1].split("</form>")[0]
    response = client.post(url, {"p_min_age": "80", "p_max_age": "120", "active": "on"})
    assert response.status_code == 302
    assert PolicyRule.objects.get(policy=policies.elderly).params == {"min_age": 80, "max_age": 120}
    bad = client.post(url, {"p_min_age": "300", "p_max_age": "120", "active": "on"})
    assert bad.status_code == 400


def test_the_rule_editor_is_for_the_pool_keepers(client, personas, policies, lead):
    rule_ = PolicyRule.objects.get()
    client.force_login(personas.caseworker)
    assert client.get(reverse("outreach:rule_edit", args=[rule_.uuid])).status_code == 403
    client.force_login(personas.admin)
    url = reverse("outreach:rule_edit", args=[rule_.uuid])
    assert client.get(url).status_code == 200
    client.post(url, {"p_types": ["physical", "visual"], "p_max_grade": "1", "version": "1"})
    rule_.refresh_from_db()
    assert (rule_.params, rule_.active) == (
        {"types": ["physical", "visual"], "max_grade": 1},
        False,
    )


def test_the_streets_dashboard_counts_leads_by_community_and_policy(
    client, personas, areas, policies, lead
):
    far = factories.household(area=areas.far)
    factories.member(household=far, disability_type="physical", disability_grade=1)
    screen()
    client.force_login(personas.supervisor)
    text = client.get(reverse("dashboard:needs")).content.decode()
    panel = text.split('class="dashboard-leads"')[1].split("</article>")[0]
    assert "待处理线索 1 条" in panel  # the other street's lead is not counted
    assert "狮林社区" in panel and "重度残疾人护理补贴" in panel
    assert f"area={areas.community.code}&amp;policy={policies.care.uuid}" in panel
    client.force_login(personas.admin)
    text = client.get(reverse("dashboard:needs")).content.decode()
    assert "待处理线索 2 条" in text


def test_the_household_page_shows_its_open_leads(client, personas, lead):
    client.force_login(personas.caseworker)
    text = client.get(reverse("households:detail", args=[lead.household.uuid])).content.decode()
    assert 'id="leads"' in text and lead.reason in text
    listed = client.get(reverse("outreach:leads") + f"?household={lead.household.uuid}")
    assert lead.reason in listed.content.decode()
