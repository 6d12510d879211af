"""The household list page keeps a dashboard cell's drill-down filter: 狮林社区 低保 2户 opens
the two households, not every household of the community (the page's form dropped it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dashboards.panels.caseload import drill_down_urls
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(areas, personas):
    today = timezone.localdate()
    for address in ("狮林寺巷8号", "狮林寺巷9号"):
        home = factories.household(area=areas.grid, address=address)
        factories.enrolment(household=home, start=today - dt.timedelta(days=30))
    applicant = factories.household(area=areas.grid, address="审批路1号")
    factories.enrolment(household=applicant, approve=False)
    factories.household(area=areas.grid, address="审批路2号")
    return areas.community


def test_a_caseload_cell_opens_the_list_of_exactly_its_households(client, personas, community):
    url, _persons = drill_down_urls(community.code, "dibao", timezone.localdate())
    client.force_login(personas.supervisor)
    response = client.get(url)
    assert response.status_code == 200
    addresses = {h.address for h in response.context["page"].items}
    assert addresses == {"狮林寺巷8号", "狮林寺巷9号"}
    assert "共 2 户" in response.text
    assert "享受救助 · 低保" in response.text
    # a new search from the page keeps the filter
    assert 'name="enrolled" value="dibao"' in response.text


def test_a_drill_down_on_a_past_day_keeps_its_day(client, personas, community):
    day = timezone.localdate() - dt.timedelta(days=10)
    url, _persons = drill_down_urls(community.code, "any", day)
    client.force_login(personas.supervisor)
    response = client.get(url)
    assert {h.address for h in response.context["page"].items} == {"狮林寺巷8号", "狮林寺巷9号"}
    assert f'name="on" value="{day.isoformat()}"' in response.text
