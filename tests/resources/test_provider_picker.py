"""The provider of a new resource is picked by typing: '名称 · 社区' suggestions, mapped back
on the server to a provider the user keeps (resources/forms.py ProviderPickerField)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from resources.models import Provider, Resource
from tests.factories import provider

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "kind": "service",
        "pool_list": "",
        "name": "助浴服务",
        "need_types": ["care"],
        "need_subtypes": ["daily_care"],
        "capacity": "8",
        "period": "month",
        "active": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def twins(pool, areas):
    """Three providers called 爱心服务队: two in 狮林社区 (of two kinds), one in 菉葭社区."""
    return {
        "here": provider(area=areas.community, name="爱心服务队", kind=Provider.Kind.VOLUNTEER),
        "here_unit": provider(area=areas.community, name="爱心服务队", kind=Provider.Kind.UNIT),
        "next_door": provider(area=areas.neighbour, name="爱心服务队"),
    }


def _suggestions(html: str) -> list[str]:
    datalist = re.search(r'<datalist id="id_provider_options">(.*?)</datalist>', html, re.S)
    assert datalist, "the provider box has its suggestions"
    return re.findall(r'<option value="([^"]*)">', datalist.group(1))


def test_the_box_suggests_each_provider_with_its_community(client, personas, pool, twins):
    client.force_login(personas.supervisor)
    html = client.get(reverse("resources:create")).content.decode()
    assert 'list="id_provider_options"' in html
    assert '<select name="provider"' not in html
    suggestions = _suggestions(html)
    assert len(suggestions) == len(set(suggestions))
    assert "乐龄社工服务社 · 狮林社区" in suggestions
    assert "平江爱心超市 · 平江街道" in suggestions
    assert {s for s in suggestions if s.startswith("爱心服务队")} == {
        "爱心服务队 · 狮林社区 · 志愿者",
        "爱心服务队 · 狮林社区 · 驻地单位",
        "爱心服务队 · 菉葭社区",
    }
    # Outside the street office's area, or above it: not theirs to add to.
    assert not any(s.startswith(("南门志愿队", "区医疗保障局")) for s in suggestions)


def test_the_chosen_suggestion_is_the_provider(client, personas, areas, twins):
    client.force_login(personas.supervisor)
    response = client.post(
        reverse("resources:create"),
        _form(provider="爱心服务队 · 菉葭社区", area=areas.neighbour.pk),
    )
    assert response.status_code == 302
    assert Resource.objects.get(name="助浴服务").provider == twins["next_door"]


def test_a_unique_name_alone_is_enough(client, personas, areas, pool):
    client.force_login(personas.supervisor)
    response = client.post(
        reverse("resources:create"), _form(provider=" 平江爱心超市 ", area=areas.street.pk)
    )
    assert response.status_code == 302
    assert Resource.objects.get(name="助浴服务").provider == pool.shop


def test_a_shared_name_alone_asks_for_the_community(client, personas, areas, twins):
    client.force_login(personas.supervisor)
    response = client.post(
        reverse("resources:create"), _form(provider="爱心服务队", area=areas.community.pk)
    )
    assert response.status_code == 400
    assert "有 3 个救助力量都叫“爱心服务队”" in response.content.decode()
    assert not Resource.objects.filter(name="助浴服务").exists()


@pytest.mark.parametrize("how", ["uuid", "pk", "label"])
def test_a_provider_out_of_scope_is_refused(client, personas, areas, pool, how):
    far = pool.far_team
    value = {"uuid": str(far.uuid), "pk": str(far.pk), "label": "南门志愿队 · 南门社区"}[how]
    client.force_login(personas.supervisor)
    response = client.post(
        reverse("resources:create"), _form(provider=value, area=areas.community.pk)
    )
    assert response.status_code == 400
    assert "请从列表中选择救助力量" in response.content.decode()
    assert not Resource.objects.filter(name="助浴服务").exists()


def test_add_a_resource_for_this_provider_fills_the_box(client, personas, pool):
    client.force_login(personas.supervisor)
    url = reverse("resources:create") + f"?provider={pool.care_org.pk}"
    html = client.get(url).content.decode()
    assert 'value="乐龄社工服务社 · 狮林社区"' in html
    detail = client.get(reverse("resources:provider_detail", args=[pool.care_org.uuid]))
    assert f"?provider={pool.care_org.pk}" in detail.content.decode()


def test_a_refused_choice_is_shown_again_as_typed(client, personas, areas, pool):
    client.force_login(personas.supervisor)
    response = client.post(
        reverse("resources:create"), _form(provider="不存在的队伍", area=areas.community.pk)
    )
    assert response.status_code == 400
    assert 'value="不存在的队伍"' in response.content.decode()
