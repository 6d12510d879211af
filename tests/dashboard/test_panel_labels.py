"""Smaller things the dashboards say (issue 15): whose community a worker is in, resources by
community and provider, why 合计 is less than the sum, and the language menu's own names."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboards import panels as dashboard
from resources.models import Provider, Resource, ResourceUsage
from tests.dashboard.test_panels import work  # noqa: F401 (the shared fixture)

pytestmark = pytest.mark.django_db


def _scope(actor, area):
    return dashboard.dashboard_area(actor=actor, code=area.code)


def test_the_worker_table_names_each_workers_community(work, personas, areas, client):  # noqa: F811
    panel = dashboard.followups(scope=_scope(personas.supervisor, areas.street), day=work.today)
    assert {w.name: w.area_name for w in panel.by_worker} == {
        "caseworker": "狮林社区",
        "teammate": "狮林社区",
    }
    client.force_login(personas.supervisor)
    page = client.get(reverse("dashboard:casework")).content.decode()
    assert "所在社区" in page
    assert '<td data-cell="worker-area">狮林社区</td>' in page


def test_resource_use_is_grouped_by_community_and_provider(work, personas, areas, client):  # noqa: F811
    other = Provider.objects.create(
        kind="social_org", name="阳光志愿队", area=areas.community, area_code=areas.community.prefix
    )
    meals = Resource.objects.create(
        provider=other, kind="service", pool_list="social_org", name="助餐",
        need_types=["care"], area=areas.community, area_code=areas.community.prefix, capacity=10,
    )  # fmt: skip
    ResourceUsage.objects.create(resource=meals, period_start=work.today.replace(day=1), used=9)
    scope = _scope(personas.supervisor, areas.street)
    uses = dashboard.resources(actor=personas.supervisor, scope=scope, day=work.today)
    # The fuller one first by use, but shown under their community and provider.
    assert [(u.area, u.provider, u.name) for u in uses] == [
        ("平江街道", "仁爱社工", "上门助浴"),
        ("狮林社区", "阳光志愿队", "助餐"),
    ]
    client.force_login(personas.supervisor)
    page = client.get(reverse("dashboard:needs")).content.decode()
    assert page.count('class="resource-group"') == 2
    assert "狮林社区 · 阳光志愿队" in page


def test_the_total_says_why_it_is_less_than_the_sum(work, personas, client):  # noqa: F811
    client.force_login(personas.supervisor)
    page = client.get(reverse("dashboard:caseload")).content.decode()
    assert "合计按户、按人去重" in page


def test_the_language_menu_names_each_language_in_itself(personas, client):
    client.force_login(personas.supervisor)
    page = client.get(reverse("dashboard:caseload")).content.decode()
    assert '<option value="en" lang="en">English</option>' in page
    assert "英语" not in page
    assert ">简体中文</option>" in page
