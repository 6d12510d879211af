"""The case-work and needs panels against hand-counted rows, their drill-downs and scope."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import FollowUp, HardshipAlert, ServiceActivity, Visit
from dashboards import panels as dashboard
from matching.models import Need, Referral
from resources.models import Provider, Resource, ResourceUsage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(areas, personas):
    """In street 平江: two households in 狮林 (one in its grid), one in 菉葭; one in 南门 (out)."""
    today = timezone.localdate()
    now = timezone.now()
    shilin = factories.household(area=areas.grid, address="狮林寺巷8号", worker=personas.caseworker)
    shilin2 = factories.household(area=areas.community, address="狮林寺巷9号")
    lujia = factories.household(area=areas.neighbour, address="菉葭巷3号")
    far = factories.household(area=areas.far, address="南门路1号")
    days = dt.timedelta
    FollowUp.objects.create(
        household=shilin, due=today - days(5), tier="A", assignee=personas.caseworker
    )
    FollowUp.objects.create(
        household=lujia, due=today + days(5), tier="B", assignee=personas.teammate
    )
    FollowUp.objects.create(household=far, due=today - days(5), tier="A")
    done = FollowUp.objects.create(
        household=shilin2, due=today, tier="C", status="done", completed_at=now,
        assignee=personas.caseworker,
    )  # fmt: skip
    FollowUp.objects.create(
        household=shilin2, due=today - days(1), tier="C", status="done",
        completed_at=now, assignee=personas.teammate,
    )  # fmt: skip
    for home, method in [(shilin, "home"), (shilin, "phone"), (lujia, "home"), (far, "home")]:
        Visit.objects.create(
            household=home, worker=personas.caseworker, method=method, visited_at=now,
            visit_date=today,
        )  # fmt: skip
    HardshipAlert.objects.create(household=shilin, kind="illness", occurred_on=today - days(3))
    HardshipAlert.objects.create(
        household=lujia, kind="accident", occurred_on=today, resolved_at=now
    )
    HardshipAlert.objects.create(household=far, kind="illness", occurred_on=today)
    for kind, times in [("case", 1), ("group", 12), ("community", 40)]:
        ServiceActivity.objects.create(
            kind=kind, date=today, area=areas.community, area_code=areas.community.prefix,
            worker=personas.caseworker, title=kind, sessions=2, attendees=times, person_times=times,
        )  # fmt: skip
    provider = Provider.objects.create(
        kind="social_org", name="仁爱社工", area=areas.street, area_code=areas.street.prefix
    )
    service = Resource.objects.create(
        provider=provider, kind="service", pool_list="social_org", name="上门助浴",
        need_types=["care"], area=areas.street, area_code=areas.street.prefix, capacity=10,
    )  # fmt: skip
    ResourceUsage.objects.create(resource=service, period_start=today.replace(day=1), used=4)
    needs = []
    for home, kind, status in [
        (shilin, "care", "matched"), (shilin, "survival", "open"), (lujia, "care", "met"),
        (far, "care", "open"),
    ]:  # fmt: skip
        subtype = "daily_care" if kind == "care" else "living"
        needs.append(
            Need.objects.create(
                household=home, type=kind, subtype=subtype, source="visit", status=status
            )
        )
    for need, status, outcome in [
        (needs[0], "proposed", ""),
        (needs[2], "confirmed", "met"),
        (needs[3], "confirmed", "met"),
    ]:
        Referral.objects.create(
            need=need, resource=service, provider=provider, household=need.household,
            status=status, outcome=outcome,
        )  # fmt: skip
    return SimpleNamespace(today=today, done=done)


def _scope(actor, area):
    return dashboard.dashboard_area(actor=actor, code=area.code)


def test_followups_by_area_and_worker(work, personas, areas):
    panel = dashboard.followups(scope=_scope(personas.supervisor, areas.street), day=work.today)
    total = panel.total
    assert (total.overdue, total.upcoming, total.on_time, total.late) == (1, 1, 1, 1)
    assert [(a.name, a.overdue, a.upcoming) for a in panel.by_area] == [
        ("狮林社区", 1, 0), ("菉葭社区", 0, 1),
    ]  # fmt: skip
    workers = {w.name: (w.overdue, w.on_time, w.late) for w in panel.by_worker}
    assert workers == {"caseworker": (1, 1, 0), "teammate": (0, 0, 1)}
    assert "overdue=true" in panel.by_area[0].overdue_url
    assert "area=320506001001" in panel.by_area[0].overdue_url


def test_visits_by_method_this_month(work, personas, areas):
    panel = dashboard.visits(scope=_scope(personas.supervisor, areas.street), day=work.today)
    assert panel.this_month == {"home": 2, "phone": 1, "wechat": 0, "walk_in": 0}
    assert panel.by_month["home"][-1] == 2
    assert len(panel.months) == 6


def test_open_alerts(work, personas, areas):
    panel = dashboard.alerts(scope=_scope(personas.supervisor, areas.street))
    assert panel.total == 1
    assert panel.by_area == [("320506001001", "狮林社区", 1)]


def test_services_counts_person_times(work, personas, areas):
    panel = dashboard.services(scope=_scope(personas.supervisor, areas.street), day=work.today)
    rows = {r["kind"]: r for r in panel.rows}
    assert rows["group"]["month_activities"] == 1
    assert rows["group"]["month_sessions"] == 2
    assert rows["community"]["year_person_times"] == 40


def test_needs_referrals_and_resources(work, personas, areas):
    scope = _scope(personas.supervisor, areas.street)
    needs = dashboard.needs(scope=scope)
    assert needs.total == 3
    assert needs.counts["care"]["matched"] == 1 and needs.counts["care"]["met"] == 1
    assert needs.counts["survival"]["open"] == 1
    referrals = dashboard.referrals(scope=scope)
    assert referrals.total == 2
    outcomes = {code: n for code, _label, n, _url in referrals.by_outcome}
    assert outcomes == {"met": 1, "partly": 0, "not_met": 0, "": 1}
    (use,) = dashboard.resources(actor=personas.supervisor, scope=scope, day=work.today)
    assert (use.name, use.used, use.limit, use.percent) == ("上门助浴", 4, 10, 40)


def test_pages_render_and_stay_in_scope(client, work, personas, areas):
    client.force_login(personas.supervisor)
    for name in ("dashboard:casework", "dashboard:needs"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert b"dashboard-data" in response.content
        assert "南门路".encode() not in response.content
    client.force_login(personas.outsider)
    for name in ("dashboard:casework", "dashboard:needs"):
        assert client.get(reverse(name), {"area": areas.street.code}).status_code == 404


@pytest.mark.parametrize(
    "endpoint", ["followups", "visits", "alerts", "services", "needs", "referrals", "resources"]
)
def test_every_panel_endpoint_is_scoped(api, work, personas, areas, endpoint):
    url = f"/api/v1/dashboard/{endpoint}/"
    response = api(personas.supervisor).get(url, {"area": areas.street.code})
    assert response.status_code == 200
    assert response.json()["area"]["code"] == areas.street.code
    assert api(personas.outsider).get(url, {"area": areas.street.code}).status_code == 404
    assert api(personas.provider).get(url).status_code == 404
    assert api(personas.no_area).get(url).status_code == 404


def test_drill_downs_open_the_list_behind_the_number(client, work, personas, areas):
    client.force_login(personas.supervisor)
    scope = _scope(personas.supervisor, areas.street)
    needs = dashboard.needs(scope=scope)
    response = client.get(needs.urls["care"]["matched"])
    assert response.status_code == 200
    assert "共 1 行" in response.content.decode()
    # 已用 opens the referrals holding this period's units (the fixture's have no period yet).
    Referral.objects.update(period_start=work.today.replace(day=1))
    (use,) = dashboard.resources(actor=personas.supervisor, scope=scope, day=work.today)
    page = client.get(use.url).content.decode()
    assert "共 2 行" in page and "南门路" not in page
    referrals = dashboard.referrals(scope=scope)
    met = next(url for code, _l, _n, url in referrals.by_outcome if code == "met")
    assert "共 1 行" in client.get(met).content.decode()
    visits = dashboard.visits(scope=scope, day=work.today)
    assert "共 2 行" in client.get(visits.this_month_urls["home"]).content.decode()
    followups = dashboard.followups(scope=scope, day=work.today)
    assert "共 1 行" in client.get(followups.total.overdue_url).content.decode()


@pytest.mark.parametrize("ledger", ["visits", "followups", "needs", "referrals"])
def test_case_and_need_ledgers_export_only_the_actors_scope(work, personas, ledger):
    import csv
    import io

    from ledgers import exports

    def addresses(actor) -> set[str]:
        req = exports.export_request_build(actor=actor, ledger_name=ledger, fmt="csv")
        text = exports.export_now(actor=actor, req=req).content.decode("utf-8-sig")
        return {row[2] for row in list(csv.reader(io.StringIO(text)))[1:]}

    street = addresses(personas.supervisor)
    assert street and "南门路1号" not in street
    assert addresses(personas.outsider) <= {"南门路1号"}
    assert addresses(personas.admin) >= street
