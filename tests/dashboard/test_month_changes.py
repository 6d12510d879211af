"""本月变动 both ways (issue 15): what the office decided this month, by decision date, and
how the caseload changed, by start date; and the caseload's drill-down without applications.

Street 平江 today:
- A (狮林): 低保 applied for from the 1st of last month, approved today → decided this month,
  not new this month (its start is last month);
- B (狮林): 低边 from today, approved today → decided and new;
- C (菉葭): 低保 application rejected today;
- P (狮林): 低保 application still pending → in neither, and not in the 低保 drill-down;
- D (南门, the other street): approved today → never in 平江's numbers.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import panels as dashboard
from households import selectors, services
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(areas, personas):
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    a = factories.household(area=areas.community, address="A")
    factories.enrolment(household=a, category="dibao", start=last_month)
    b = factories.household(area=areas.community, address="B")
    factories.enrolment(household=b, category="dibian", start=today)
    c = factories.household(area=areas.neighbour, address="C")
    applied = factories.enrolment(household=c, category="dibao", start=today, approve=False)
    services.enrolment_reject(actor=None, enrolment=applied, reason="收入超标")
    p = factories.household(area=areas.community, address="P")
    factories.enrolment(household=p, category="dibao", start=today, approve=False)
    d = factories.household(area=areas.far, address="D")
    factories.enrolment(household=d, category="dibao", start=today)
    return SimpleNamespace(today=today, a=a, b=b, p=p)


def _table(actor, area):
    scope = dashboard.dashboard_area(actor=actor, code=area.code)
    return dashboard.caseload(scope=scope, day=timezone.localdate())


def test_an_approval_today_from_last_month_counts_as_decided_not_as_new(month, personas, areas):
    table = _table(personas.supervisor, areas.street)
    assert table.decisions["dibao"] == {"approved": 1, "rejected": 1, "suspended": 0, "ended": 0}
    assert table.changes["dibao"]["new"] == (1 if month.today.day == 1 else 0)
    assert table.decisions["dibian"]["approved"] == 1
    assert table.changes["dibian"]["new"] == 1


def test_decisions_count_only_inside_the_area(month, personas, areas):
    table = _table(personas.admin, areas.other_street)
    assert table.decisions["dibao"]["approved"] == 1
    assert table.decisions["dibao"]["rejected"] == 0


def test_the_page_shows_both_kinds_of_change_labelled(month, client, personas):
    client.force_login(personas.supervisor)
    page = client.get(reverse("dashboard:caseload")).content.decode()
    assert "本月办理（按决定日期）" in page
    assert "本月起始（按起止日期）" in page
    assert 'data-cell="decided-approved">1<' in page


def test_the_caseload_drill_down_lists_no_pending_application(month, personas, areas):
    table = _table(personas.supervisor, areas.street)
    cell = table.area_row.cells["dibao"]
    assert cell.households == 1
    query = dict(p.split("=") for p in cell.url.split("?")[1].split("&"))
    listed = selectors.household_list(actor=personas.supervisor, filters=query)
    assert list(listed) == [month.a]
    # The list's own 救助类别 filter still finds applicants, as before.
    by_category = selectors.household_list(actor=personas.supervisor, filters={"category": "dibao"})
    assert month.p in set(by_category)
