"""The category table against hand-computed numbers, and the dashboard's scope.

Street 平江 (320506001): communities 狮林 (with grid 狮林一网格) and 菉葭. Today:
- A (狮林): 3 people in 低保; its child also in a 临时救助 that started today
  → a member covered by two enrolments counts once in each category and once in the total;
- B (狮林一网格): its head 特困 (per person), the other member in nothing;
- C (菉葭): 2 people in 低边 that ended yesterday → not active today, active yesterday;
- E: 2 people in 低保, registered in 菉葭 twenty days ago and moved to 狮林 today
  → 狮林 today, 菉葭 yesterday (from the household's history);
- F (狮林): 1 person in 支出型, suspended today → active yesterday, not today;
- D (南门, the other street): 低保, never in 平江's numbers.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import panels as dashboard
from households import services
from households.models import Category, HouseholdEvent, Member
from tests import factories

pytestmark = pytest.mark.django_db


def _enrol(home, code: str, *, start: dt.date, **extra):
    return factories.enrolment(household=home, category=code, start=start, **extra)


@pytest.fixture
def street(areas, personas):
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    jan = dt.date(today.year, 1, 1) - dt.timedelta(days=400)
    a = factories.household(area=areas.community, address="A")
    factories.member(household=a, name="A妻")
    child = factories.member(household=a, name="A子", relation="child")
    _enrol(a, "dibao", start=jan)
    _enrol(a, "linshi", start=today, members=[child], end_date=today + dt.timedelta(days=10))
    b = factories.household(area=areas.grid, address="B")
    factories.member(household=b, name="B子", relation="child")
    _enrol(b, "tekun", start=jan, member=b.head)
    c = factories.household(area=areas.neighbour, address="C")
    factories.member(household=c, name="C妻")
    dibian = _enrol(c, "dibian", start=jan)
    services.enrolment_end(actor=None, enrolment=dibian, reason="收入超标", end_date=yesterday)
    e = factories.household(area=areas.neighbour, address="E")
    factories.member(household=e, name="E妻")
    _enrol(e, "dibao", start=jan)
    HouseholdEvent.objects.filter(pgh_obj_id=e.pk).update(
        pgh_created_at=timezone.now() - dt.timedelta(days=20)
    )
    services.household_update(actor=None, household=e, data={"area": areas.community})
    f = factories.household(area=areas.community, address="F")
    zhichu = _enrol(f, "zhichu", start=jan)
    services.enrolment_suspend(actor=None, enrolment=zhichu, reason="外出务工")
    d = factories.household(area=areas.far, address="D")
    _enrol(d, "dibao", start=jan)
    return SimpleNamespace(today=today, yesterday=yesterday)


def _numbers(row) -> dict[str, tuple[int, int]]:
    cells = {code: (c.households, c.persons) for code, c in row.cells.items()}
    return {**cells, "total": (row.total.households, row.total.persons)}


def _table(actor, code: str, day: dt.date):
    return dashboard.caseload(scope=dashboard.dashboard_area(actor=actor, code=code), day=day)


def test_street_today(street, personas, areas):
    table = _table(personas.supervisor, areas.street.code, street.today)
    shilin, lujia = table.rows
    assert (shilin.name, lujia.name) == ("狮林社区", "菉葭社区")
    assert _numbers(shilin) == {
        "dibao": (2, 5), "dibian": (0, 0), "tekun": (1, 1), "zhichu": (0, 0),
        "linshi": (1, 1), "total": (3, 6),
    }  # fmt: skip
    assert _numbers(lujia)["total"] == (0, 0)
    assert _numbers(table.area_row) == _numbers(shilin)
    assert table.summary == "低保 2户5人，低边 0户0人，特困 1人，支出型 0户0人，临时救助 1户1人"


def test_street_yesterday_counts_the_ended_suspended_and_moved_where_they_were(
    street, personas, areas
):
    table = _table(personas.supervisor, areas.street.code, street.yesterday)
    shilin, lujia = table.rows
    assert _numbers(shilin) == {
        "dibao": (1, 3), "dibian": (0, 0), "tekun": (1, 1), "zhichu": (1, 1),
        "linshi": (0, 0), "total": (3, 5),
    }  # fmt: skip
    assert _numbers(lujia) == {
        "dibao": (1, 2), "dibian": (1, 2), "tekun": (0, 0), "zhichu": (0, 0),
        "linshi": (0, 0), "total": (2, 4),
    }  # fmt: skip


def test_monthly_changes(street, personas, areas):
    table = _table(personas.supervisor, areas.street.code, street.today)
    changes = table.changes
    assert changes["linshi"]["new"] == 1
    assert changes["zhichu"]["suspended"] == 1
    ended_this_month = street.yesterday >= street.today.replace(day=1)
    assert changes["dibian"]["ended"] == (1 if ended_this_month else 0)
    assert changes["dibao"] == {"new": 0, "suspended": 0, "ended": 0}


def test_community_children_are_grids_and_direct_rows(street, personas, areas):
    table = _table(personas.caseworker, areas.community.code, street.today)
    names = [row.name for row in table.rows]
    assert names == ["狮林一网格", "（直属）"]
    grid, direct = table.rows
    assert _numbers(grid)["tekun"] == (1, 1)
    assert _numbers(direct)["total"] == (2, 5)


def test_district_counts_both_streets(street, personas, areas):
    table = _table(personas.admin, areas.district.code, street.today)
    assert [row.name for row in table.rows] == ["平江街道", "沧浪街道"]
    assert _numbers(table.rows[1])["dibao"] == (1, 1)
    assert _numbers(table.area_row)["dibao"] == (3, 6)


def test_every_cell_links_to_the_scoped_household_list(street, personas, areas):
    table = _table(personas.supervisor, areas.street.code, street.today)
    url = table.rows[0].cells["dibao"].url
    # `enrolled`, not the list's `category` (which takes in pending applications too).
    assert url == f"{reverse('households:list')}?area=320506001001&enrolled=dibao"
    persons = table.rows[0].cells["dibao"].persons_url
    assert (
        persons == f"{reverse('ledgers:rows', args=['members'])}?area=320506001001&enrolled=dibao"
    )


@pytest.mark.parametrize("who", ["outsider", "no_area", "provider"])
def test_out_of_scope_users_get_404(client, street, personas, areas, who):
    client.force_login(getattr(personas, who))
    response = client.get(reverse("dashboard:caseload"), {"area": areas.street.code})
    assert response.status_code == 404


def test_the_page_renders_the_table_charts_data_and_links(client, street, personas, areas):
    client.force_login(personas.supervisor)
    response = client.get(reverse("dashboard:caseload"), {"date": street.today.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "低保 2户5人" in html
    assert 'id="dashboard-data" type="application/json"' in html
    assert "vendor/echarts/echarts.min.js" in html
    assert "?area=320506001001&amp;enrolled=dibao" in html


def test_the_page_takes_at_most_ten_queries(
    client, street, personas, areas, django_assert_max_num_queries
):
    client.force_login(personas.admin)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("dashboard:caseload"), {"area": areas.district.code})
    assert response.status_code == 200


def test_api_returns_the_category_table(api, street, personas, areas):
    response = api(personas.supervisor).get(
        "/api/v1/dashboard/caseload/",
        {"area": areas.street.code, "date": street.today.isoformat()},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["total"]["categories"]["dibao"] == {"households": 2, "persons": 5}
    assert [c["name"] for c in data["children"]] == ["狮林社区", "菉葭社区"]
    assert data["summary"].startswith("低保 2户5人")
    assert {c["code"]: c["per_person"] for c in data["categories"]}["tekun"] is True


def test_api_scope(api, street, personas, areas):
    url = "/api/v1/dashboard/caseload/"
    assert api(personas.outsider).get(url, {"area": areas.street.code}).status_code == 404
    assert api(personas.provider).get(url).status_code == 404
    assert api(personas.no_area).get(url).status_code == 404
    assert api(None).get(url).status_code in (401, 403)
    mine = api(personas.outsider).get(url).json()
    assert mine["area"]["code"] == areas.far.code
    assert mine["total"]["categories"]["dibao"] == {"households": 1, "persons": 1}


def test_auditor_reads_its_own_area(api, street, personas, areas):
    data = api(personas.viewer).get("/api/v1/dashboard/caseload/").json()
    assert data["area"]["code"] == areas.community.code
    assert data["total"]["total"] == {"households": 3, "persons": 6}


def test_categories_are_counted_by_their_rule(street):
    assert Category.objects.get(code="tekun").per_person
    assert Member.objects.count() >= 10
