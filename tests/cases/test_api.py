"""Case-work REST API through APIClient: scope, roles, validation, filters and query counts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import FollowUp, TierRule, Visit
from households.models import Member
from tests import factories
from tests.factories import add_months, local, open_followup

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(name, *args):
    return reverse(f"api-cases:{name}", args=[str(a) for a in args])


def _visit_body(household, **overrides):
    body = {
        "household": str(household.uuid),
        "method": "home",
        "visited_at": (timezone.now() - dt.timedelta(minutes=10)).isoformat(),
        "findings": {"living": {"status": "fair", "note": "米面够吃一周"}},
        "needs_noted": "助餐",
    }
    body.update(overrides)
    return body


def test_api_module_reads_no_model_managers():
    for name in ("api.py", "views.py"):
        source = (Path(__file__).parents[2] / "cases" / name).read_text()
        assert ".objects" not in source, name


def test_schema_lists_the_case_operations(api, personas):
    response = api(personas.caseworker).get(reverse("api-schema"), {"format": "json"})
    operations = {
        op["operationId"]
        for path in response.json()["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {"visit_list", "visit_log", "followup_list", "followup_reassign"} <= operations
    assert {"tier_rule_list", "tier_rule_update"} <= operations


# ---- visits ----------------------------------------------------------------------------


def test_visit_log_creates_the_visit_and_the_next_follow_up(api, personas, household):
    child = household.members.get(name="王小明")
    response = api(personas.caseworker).post(
        url("visit-list"),
        _visit_body(
            household,
            member_changes=[{"member": str(child.uuid), "health": "serious", "illness": "白血病"}],
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["findings"]["living"] == {"status": "fair", "note": "米面够吃一周"}
    assert body["worker"]["username"] == "caseworker"
    child.refresh_from_db()
    assert (child.health, child.illness) == ("serious", "白血病")
    assert open_followup(household).due == add_months(dt.date.fromisoformat(body["visit_date"]), 6)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("viewer", 403), ("outsider", 404), ("no_area", 404), ("provider", 404)],
)
def test_visit_log_refused(api, personas, household, persona, status):
    response = api(getattr(personas, persona)).post(
        url("visit-list"), _visit_body(household), format="json"
    )
    assert response.status_code == status
    assert not Visit.objects.exists()


def test_visit_log_records_needs(api, personas, household):
    from matching.models import Need

    response = api(personas.caseworker).post(
        url("visit-list"),
        _visit_body(
            household,
            needs=[{"type": "development", "subtype": "employment", "description": "找工作"}],
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Need.objects.get().subtype == "employment"


def test_visit_log_in_the_future_is_400(api, personas, household):
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    response = api(personas.caseworker).post(
        url("visit-list"), _visit_body(household, visited_at=future), format="json"
    )
    assert response.status_code == 400
    assert "visited_at" in response.json()


def test_visit_log_with_member_out_of_scope_is_400(api, personas, household, far_household):
    stranger = far_household.members.get()
    response = api(personas.caseworker).post(
        url("visit-list"),
        _visit_body(
            household, member_changes=[{"member": str(stranger.uuid), "status": "deceased"}]
        ),
        format="json",
    )
    assert response.status_code == 400
    assert Member.objects.get(pk=stranger.pk).status == "active"


def test_visit_log_rejects_get_of_a_mutation_only_url(api, personas, household):
    response = api(personas.caseworker).get(url("followup-reassign", household.uuid))
    assert response.status_code in (404, 405)


@pytest.fixture
def visits(areas, personas, household, far_household):
    services.visit_log(
        actor=personas.outsider, household=far_household, method="phone", visited_at=timezone.now()
    )
    made = []
    for i in range(4):
        home = factories.household(area=areas.grid, address=f"API路{i}号")
        made.append(
            services.visit_log(
                actor=personas.caseworker,
                household=home,
                method="home" if i % 2 else "phone",
                visited_at=local(TODAY - dt.timedelta(days=i), hour=0),  # never ahead of now
            )
        )
    return made


def test_visit_list_is_scoped_and_filtered(api, personas, visits):
    client = api(personas.caseworker)
    assert len(client.get(url("visit-list")).json()["results"]) == 4
    phone = client.get(url("visit-list"), {"method": "phone"}).json()["results"]
    assert {v["method"] for v in phone} == {"phone"} and len(phone) == 2
    recent = client.get(
        url("visit-list"), {"date_after": (TODAY - dt.timedelta(days=1)).isoformat()}
    ).json()["results"]
    assert len(recent) == 2
    one = client.get(url("visit-list"), {"household": str(visits[0].household.uuid)}).json()
    assert [v["uuid"] for v in one["results"]] == [str(visits[0].uuid)]
    assert len(api(personas.admin).get(url("visit-list")).json()["results"]) == 5


@pytest.mark.parametrize("persona", ["no_area", "provider"])
def test_visit_list_empty_for_those_who_may_not_see(api, personas, visits, persona):
    response = api(getattr(personas, persona)).get(url("visit-list"))
    assert response.status_code == 200 and response.json()["results"] == []


def test_visit_detail_scope(api, personas, visits):
    visit = visits[0]
    assert api(personas.viewer).get(url("visit-detail", visit.uuid)).status_code == 200
    assert api(personas.outsider).get(url("visit-detail", visit.uuid)).status_code == 404
    assert api(personas.no_area).get(url("visit-detail", visit.uuid)).status_code == 404


# ---- follow-ups ------------------------------------------------------------------------


@pytest.fixture
def schedule(areas, personas, far_household):
    """Follow-ups: two of the caseworker's (one overdue), one of the teammate's, one far."""
    mine_late = factories.household(area=areas.grid, worker=personas.caseworker)
    mine_later = factories.household(area=areas.grid, worker=personas.caseworker)
    theirs = factories.household(area=areas.community, worker=personas.teammate)
    services.followups_schedule()
    FollowUp.objects.filter(household=mine_late).update(due=TODAY - dt.timedelta(days=3))
    FollowUp.objects.filter(household=mine_later).update(due=TODAY + dt.timedelta(days=20))
    FollowUp.objects.filter(household=theirs).update(due=TODAY + dt.timedelta(days=2))
    return {"late": mine_late, "later": mine_later, "theirs": theirs}


def _households(response):
    return {row["household"] for row in response.json()["results"]}


def test_followup_list_filters(api, personas, schedule, areas):
    client = api(personas.caseworker)
    everything = _households(client.get(url("followup-list")))
    assert everything == {str(h.uuid) for h in schedule.values()}
    mine = _households(client.get(url("followup-list"), {"assignee": "me"}))
    assert mine == {str(schedule["late"].uuid), str(schedule["later"].uuid)}
    by_name = _households(client.get(url("followup-list"), {"assignee": "caseworker"}))
    assert by_name == mine
    late = client.get(url("followup-list"), {"overdue": "true"}).json()["results"]
    assert [r["household"] for r in late] == [str(schedule["late"].uuid)]
    assert late[0]["overdue"] is True
    window = _households(
        client.get(
            url("followup-list"),
            {"due_after": TODAY.isoformat(), "due_before": (TODAY + dt.timedelta(7)).isoformat()},
        )
    )
    assert window == {str(schedule["theirs"].uuid)}
    grid = _households(client.get(url("followup-list"), {"area": areas.grid.code}))
    assert grid == mine
    assert _households(client.get(url("followup-list"), {"status": "done"})) == set()


def test_followup_list_rejects_bad_filters(api, personas, schedule):
    response = api(personas.caseworker).get(url("followup-list"), {"due_after": "yesterday"})
    assert response.status_code == 400


def test_followup_list_out_of_scope_and_without_area(api, personas, schedule):
    outsider = _households(api(personas.outsider).get(url("followup-list")))
    assert str(schedule["late"].uuid) not in outsider
    assert api(personas.no_area).get(url("followup-list")).json()["results"] == []


def test_followup_detail_scope(api, personas, schedule):
    followup = open_followup(schedule["late"])
    response = api(personas.viewer).get(url("followup-detail", followup.uuid))
    assert response.status_code == 200 and response.json()["tier"] == "C"
    assert api(personas.outsider).get(url("followup-detail", followup.uuid)).status_code == 404


def test_reassign_via_api(api, personas, schedule, far_staff):
    followup = open_followup(schedule["late"])
    endpoint = url("followup-reassign", followup.uuid)
    assert api(personas.supervisor).get(endpoint).status_code == 405
    assert (
        api(personas.caseworker).post(endpoint, {"assignee": "teammate"}, format="json").status_code
        == 403
    )
    assert api(far_staff).post(endpoint, {"assignee": "teammate"}, format="json").status_code == 404
    refused = api(personas.supervisor).post(endpoint, {"assignee": "outsider"}, format="json")
    assert refused.status_code == 400
    response = api(personas.supervisor).post(endpoint, {"assignee": "teammate"}, format="json")
    assert response.status_code == 200
    assert response.json()["assignee"]["username"] == "teammate"
    assert response.json()["reassigned"] is True


# ---- tier rules ------------------------------------------------------------------------


def test_tier_rules_for_the_district_admin(api, personas):
    client = api(personas.admin)
    listing = client.get(url("tier-rule-list"), {"page_size": 50}).json()["results"]
    assert len(listing) == 11
    rule = TierRule.objects.get(code="elderly_alone")
    response = client.patch(
        url("tier-rule-detail", rule.uuid),
        {"version": 1, "params": {"min_age": 85}, "interval_months": 2},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["params"] == {"min_age": 85}
    stale = client.patch(
        url("tier-rule-detail", rule.uuid), {"version": 1, "active": False}, format="json"
    )
    assert stale.status_code == 409
    created = client.post(
        url("tier-rule-list"),
        {
            "code": "enrolled",
            "name": "临时救助",
            "tier": "B",
            "interval_months": 3,
            "params": {"category": "linshi"},
        },
        format="json",
    )
    assert created.status_code == 201
    bad = client.post(
        url("tier-rule-list"),
        {
            "code": "enrolled",
            "name": "错",
            "tier": "B",
            "interval_months": 3,
            "params": {"category": "x"},
        },
        format="json",
    )
    assert bad.status_code == 400
    assert (
        client.get(url("tier-rule-detail", "8b7c0a52-2f7e-4c1e-9d1c-000000000000")).status_code
        == 404
    )


@pytest.mark.parametrize("persona", ["supervisor", "caseworker", "viewer", "provider", "no_area"])
def test_tier_rules_refused_to_others(api, personas, persona):
    client = api(getattr(personas, persona))
    rule = TierRule.objects.first()
    assert client.get(url("tier-rule-list")).status_code == 403
    assert client.get(url("tier-rule-detail", rule.uuid)).status_code == 403
    body = {"version": 1, "active": False}
    assert client.patch(url("tier-rule-detail", rule.uuid), body, format="json").status_code == 403
    rule.refresh_from_db()
    assert rule.active is True


def test_anonymous_requests_are_refused(api):
    for name in ("visit-list", "followup-list", "tier-rule-list"):
        assert api(None).get(url(name)).status_code in (401, 403)


# ---- query counts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "queries"), [("visit-list", 1), ("followup-list", 1), ("tier-rule-list", 1)]
)
def test_list_query_count_does_not_grow_with_page_size(
    api, personas, visits, django_assert_num_queries, name, queries
):
    services.followups_schedule()
    client = api(personas.admin)
    personas.admin.area  # noqa: B018 — loaded once per request by authentication
    for size in (2, 50):
        with django_assert_num_queries(queries):
            response = client.get(url(name), {"page_size": size})
        assert response.status_code == 200


def test_responses_carry_no_integer_ids(api, personas, visits):
    services.followups_schedule()
    client = api(personas.admin)
    for name in ("visit-list", "followup-list"):
        text = json.dumps(client.get(url(name)).json(), ensure_ascii=False)
        assert '"id":' not in text and '"pk":' not in text
