"""Case-work pages end to end through the test client: scope, roles, POST-only mutations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import FollowUp, HardshipAlert, ServiceActivity, TierRule, Visit
from households.models import Member
from tests import factories
from tests.factories import add_months, open_followup

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _login(client, user):
    client.force_login(user)
    return client


def _visit_post(household, **overrides):
    members = list(household.members.filter(status="active").order_by("created_at"))
    now = timezone.localtime()
    data = {
        "method": "home",
        "visit_date": now.date().isoformat(),
        "visit_time": (now - dt.timedelta(minutes=5)).strftime("%H:%M"),
        "companions": "",
        "needs_noted": "需要助餐服务",
        "living_status": "fair",
        "living_note": "冰箱里有菜",
        "m-TOTAL_FORMS": str(len(members)),
        "m-INITIAL_FORMS": str(len(members)),
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "1000",
        "n-TOTAL_FORMS": "0",
        "n-INITIAL_FORMS": "0",
        "n-MIN_NUM_FORMS": "0",
        "n-MAX_NUM_FORMS": "1000",
    }
    if (now - dt.timedelta(minutes=5)).date() != now.date():
        data["visit_time"] = "00:00"
    for i, m in enumerate(members):
        data.update(
            {
                f"m-{i}-member": str(m.uuid),
                f"m-{i}-status": m.status,
                f"m-{i}-health": m.health,
                f"m-{i}-illness": m.illness,
                f"m-{i}-employment": m.employment,
                f"m-{i}-monthly_income": str(m.monthly_income),
            }
        )
        if m.has_caregiver:
            data[f"m-{i}-has_caregiver"] = "on"
    data.update(overrides)
    return data


# ---- home and worklist -----------------------------------------------------------------


def test_home_is_each_roles_start_page(client, personas):
    starts = {
        personas.caseworker: reverse("cases:worklist"),
        personas.supervisor: reverse("cases:overdue"),
        personas.provider: reverse("matching:portal"),
        personas.admin: reverse("households:list"),
    }
    for user, start in starts.items():
        response = _login(client, user).get(reverse("households:home"))
        assert response["Location"] == start


def test_worklist_shows_my_due_households_with_a_link_to_log_the_visit(client, personas, household):
    services.followups_schedule()
    FollowUp.objects.filter(household=household).update(assignee=personas.caseworker)
    response = _login(client, personas.caseworker).get(reverse("cases:worklist"))
    assert response.status_code == 200
    assert "狮林寺巷8号" in response.text
    assert reverse("cases:visit_log", args=[household.uuid]) in response.text


def test_worklist_out_of_scope_and_without_area_is_empty(client, personas, household):
    services.followups_schedule()
    for persona in ("outsider", "no_area"):
        response = _login(client, getattr(personas, persona)).get(reverse("cases:worklist"))
        assert response.status_code == 200
        assert "狮林寺巷8号" not in response.text


def test_worklist_is_403_for_providers_and_needs_login(client, personas):
    assert client.get(reverse("cases:worklist")).status_code == 302
    assert _login(client, personas.provider).get(reverse("cases:worklist")).status_code == 403


def test_worklist_query_count_does_not_grow_with_rows(
    client, personas, areas, django_assert_max_num_queries
):
    _login(client, personas.caseworker)
    factories.household(area=areas.grid, worker=personas.caseworker)
    services.followups_schedule()
    with django_assert_max_num_queries(12) as small:
        assert client.get(reverse("cases:worklist")).status_code == 200
    for i in range(20):
        factories.household(area=areas.grid, worker=personas.caseworker, address=f"多户{i}号")
    services.followups_schedule()
    with django_assert_max_num_queries(12) as large:
        client.get(reverse("cases:worklist"))
    assert len(small.captured_queries) == len(large.captured_queries)


# ---- logging a visit -------------------------------------------------------------------


def test_visit_log_page_in_scope(client, personas, household):
    response = _login(client, personas.caseworker).get(
        reverse("cases:visit_log", args=[household.uuid])
    )
    assert response.status_code == 200
    assert "王小明" in response.text  # a member whose changes can be recorded


@pytest.mark.parametrize(
    ("persona", "status"), [("outsider", 404), ("no_area", 404), ("provider", 404), ("viewer", 403)]
)
def test_visit_log_page_refused(client, personas, household, persona, status):
    _login(client, getattr(personas, persona))
    url = reverse("cases:visit_log", args=[household.uuid])
    assert client.get(url).status_code == status
    assert client.post(url, _visit_post(household)).status_code == status
    assert not Visit.objects.exists()


def test_visit_log_post_records_visit_member_change_and_next_follow_up(client, personas, household):
    services.followups_schedule()
    data = _visit_post(household)
    child_index = 1
    data[f"m-{child_index}-status"] = "moved_out"
    response = _login(client, personas.caseworker).post(
        reverse("cases:visit_log", args=[household.uuid]), data
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("households:detail", args=[household.uuid])
    visit = Visit.objects.get()
    assert (visit.worker, visit.living_status, visit.needs_noted) == (
        personas.caseworker,
        "fair",
        "需要助餐服务",
    )
    assert Member.objects.get(name="王小明").status == "moved_out"
    assert open_followup(household).due == add_months(visit.visit_date, 6)
    page = client.get(response["Location"])
    assert open_followup(household).due.isoformat() in page.text
    assert "走访已记录" in page.text


def test_visit_log_post_with_a_need_adds_it_to_the_needs_list(client, personas, household):
    from matching.models import Need

    data = _visit_post(household)
    data.update(
        {
            "n-TOTAL_FORMS": "2",
            "n-INITIAL_FORMS": "0",
            "n-MIN_NUM_FORMS": "0",
            "n-MAX_NUM_FORMS": "1000",
            "n-0-kind": "care:companionship",
            "n-0-description": "独居老人需要陪伴",
            "n-0-urgency": "2",
            "n-1-kind": "",
            "n-1-description": "",
            "n-1-urgency": "2",
        }
    )
    response = _login(client, personas.caseworker).post(
        reverse("cases:visit_log", args=[household.uuid]), data
    )
    assert response.status_code == 302
    need = Need.objects.get()
    assert (need.household, need.type, need.subtype) == (household, "care", "companionship")
    household.refresh_from_db()
    assert household.tier == "B"


def test_visit_log_in_the_future_is_refused_with_the_form(client, personas, household):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = _login(client, personas.caseworker).post(
        reverse("cases:visit_log", args=[household.uuid]),
        _visit_post(household, visit_date=tomorrow),
    )
    assert response.status_code == 400
    assert "走访时间不能晚于现在" in response.text
    assert not Visit.objects.exists()


def test_visit_log_without_method_is_refused(client, personas, household):
    response = _login(client, personas.caseworker).post(
        reverse("cases:visit_log", args=[household.uuid]), _visit_post(household, method="")
    )
    assert response.status_code == 400
    assert not Visit.objects.exists()


def test_visit_detail_and_household_timeline(client, personas, household, far_household):
    visit = services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="wechat",
        visited_at=timezone.now(),
        needs_noted="轮椅",
    )
    _login(client, personas.caseworker)
    page = client.get(reverse("households:detail", args=[household.uuid]))
    assert reverse("cases:visit_detail", args=[visit.uuid]) in page.text
    assert "记录走访" in page.text and "下次跟进" in page.text
    detail = client.get(reverse("cases:visit_detail", args=[visit.uuid]))
    assert detail.status_code == 200 and "轮椅" in detail.text
    for persona in ("outsider", "no_area"):
        _login(client, getattr(personas, persona))
        assert client.get(reverse("cases:visit_detail", args=[visit.uuid])).status_code == 404


def test_household_page_for_auditor_shows_timeline_without_buttons(client, personas, household):
    services.visit_log(
        actor=personas.caseworker, household=household, method="home", visited_at=timezone.now()
    )
    page = _login(client, personas.viewer).get(reverse("households:detail", args=[household.uuid]))
    assert page.status_code == 200
    assert "走访记录" in page.text
    assert reverse("cases:visit_log", args=[household.uuid]) not in page.text


# ---- hardship alerts -------------------------------------------------------------------


def test_alert_form_records_and_moves_the_household_to_a(client, personas, household):
    url = reverse("cases:alert_create", args=[household.uuid])
    _login(client, personas.caseworker)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": "illness", "occurred_on": TODAY.isoformat(), "note": "突发脑梗"}
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.tier == "A"
    assert open_followup(household).due <= TODAY + dt.timedelta(days=3)


def test_alert_form_refuses_future_dates(client, personas, household):
    response = _login(client, personas.caseworker).post(
        reverse("cases:alert_create", args=[household.uuid]),
        {"kind": "illness", "occurred_on": (TODAY + dt.timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 400
    assert not HardshipAlert.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("outsider", 404), ("viewer", 403)])
def test_alert_form_refused(client, personas, household, persona, status):
    url = reverse("cases:alert_create", args=[household.uuid])
    _login(client, getattr(personas, persona))
    assert client.get(url).status_code == status
    assert client.post(url, {"kind": "illness", "occurred_on": TODAY}).status_code == status


def test_alert_resolve_is_post_only_and_scoped(client, personas, household):
    alert = services.hardship_alert_record(
        actor=personas.caseworker, household=household, kind="illness", occurred_on=TODAY
    )
    url = reverse("cases:alert_resolve", args=[alert.uuid])
    assert _login(client, personas.caseworker).get(url).status_code == 405
    assert _login(client, personas.outsider).post(url).status_code == 404
    assert _login(client, personas.viewer).post(url).status_code == 403
    assert _login(client, personas.caseworker).post(url).status_code == 302
    alert.refresh_from_db()
    assert alert.resolved_at is not None


# ---- overdue overview and reassignment -------------------------------------------------


@pytest.fixture
def overdue(household):
    services.followups_schedule()
    FollowUp.objects.filter(household=household).update(due=TODAY - dt.timedelta(days=10))
    return open_followup(household)


def test_overdue_page_for_street_staff_groups_and_offers_reassignment(client, personas, overdue):
    response = _login(client, personas.supervisor).get(reverse("cases:overdue"))
    assert response.status_code == 200
    assert "狮林社区" in response.text and "狮林寺巷8号" in response.text
    assert reverse("cases:followup_reassign", args=[overdue.uuid]) in response.text


def test_overdue_page_for_auditor_is_read_only(client, personas, overdue):
    response = _login(client, personas.viewer).get(reverse("cases:overdue"))
    assert response.status_code == 200
    assert reverse("cases:followup_reassign", args=[overdue.uuid]) not in response.text


def test_overdue_page_out_of_scope_is_empty_and_workers_get_403(
    client, personas, overdue, far_staff
):
    response = _login(client, far_staff).get(reverse("cases:overdue"))
    assert response.status_code == 200 and "狮林寺巷8号" not in response.text
    assert _login(client, personas.caseworker).get(reverse("cases:overdue")).status_code == 403
    assert _login(client, personas.provider).get(reverse("cases:overdue")).status_code == 403


def test_overdue_page_for_street_staff_without_an_area_is_empty(client, overdue):
    nobody = factories.user("lost_staff", role="street_staff", area=None)
    response = _login(client, nobody).get(reverse("cases:overdue"))
    assert response.status_code == 200
    assert "狮林寺巷8号" not in response.text


def test_overdue_page_query_count_is_fixed(client, personas, areas, django_assert_max_num_queries):
    _login(client, personas.supervisor)
    factories.household(area=areas.grid)
    services.followups_schedule(today=TODAY + dt.timedelta(days=1))
    FollowUp.objects.update(due=TODAY - dt.timedelta(days=1))
    with django_assert_max_num_queries(15) as small:
        client.get(reverse("cases:overdue"))
    for i in range(10):
        factories.household(area=areas.neighbour if i % 2 else areas.grid)
    services.followups_schedule()
    FollowUp.objects.update(due=TODAY - dt.timedelta(days=1))
    with django_assert_max_num_queries(15) as large:
        client.get(reverse("cases:overdue"))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_reassign_post_by_street_staff(client, personas, overdue):
    url = reverse("cases:followup_reassign", args=[overdue.uuid])
    response = _login(client, personas.supervisor).post(url, {"assignee": personas.teammate.pk})
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert (overdue.assignee, overdue.reassigned) == (personas.teammate, True)


def test_reassign_to_a_worker_of_another_community_changes_nothing(client, personas, overdue):
    url = reverse("cases:followup_reassign", args=[overdue.uuid])
    before = overdue.assignee_id
    _login(client, personas.admin).post(url, {"assignee": personas.outsider.pk}, follow=True)
    overdue.refresh_from_db()
    assert overdue.assignee_id == before


@pytest.mark.parametrize(("persona", "status"), [("caseworker", 403), ("viewer", 403)])
def test_reassign_refused_to_other_roles(client, personas, overdue, persona, status):
    url = reverse("cases:followup_reassign", args=[overdue.uuid])
    _login(client, getattr(personas, persona))
    assert client.post(url, {"assignee": personas.teammate.pk}).status_code == status


def test_reassign_is_post_only_and_404_out_of_scope(client, personas, overdue, far_staff):
    url = reverse("cases:followup_reassign", args=[overdue.uuid])
    assert _login(client, personas.supervisor).get(url).status_code == 405
    assert (
        _login(client, far_staff).post(url, {"assignee": personas.teammate.pk}).status_code == 404
    )


# ---- tier rules ------------------------------------------------------------------------


def test_tier_rule_pages_for_the_district_admin(client, personas):
    rule = TierRule.objects.get(code="elderly_alone")
    _login(client, personas.admin)
    listing = client.get(reverse("cases:tier_rules"))
    assert listing.status_code == 200 and "80岁以上独居" in listing.text
    url = reverse("cases:tier_rule_edit", args=[rule.uuid])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "75岁以上独居",
            "tier": "A",
            "interval_months": "1",
            "p_min_age": "75",
            "priority": "50",
            "active": "on",
            "version": "1",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.params, rule.version) == ("75岁以上独居", {"min_age": 75}, 2)


def test_tier_rule_edit_with_bad_params_shows_the_error(client, personas):
    rule = TierRule.objects.get(code="elderly_alone")
    response = _login(client, personas.admin).post(
        reverse("cases:tier_rule_edit", args=[rule.uuid]),
        {
            "name": rule.name,
            "tier": "A",
            "interval_months": "1",
            "p_min_age": "old",
            "priority": "50",
            "version": "1",
        },
    )
    assert response.status_code == 400
    assert "min_age" in response.text


def test_tier_rule_create(client, personas):
    response = _login(client, personas.admin).post(
        reverse("cases:tier_rule_create") + "?code=enrolled",
        {
            "name": "临时救助在保",
            "tier": "B",
            "interval_months": "2",
            "p_category": "linshi",
            "priority": "40",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert TierRule.objects.filter(name="临时救助在保", tier="B").exists()


@pytest.mark.parametrize("persona", ["supervisor", "caseworker", "viewer", "provider", "no_area"])
def test_tier_rule_pages_refused_to_others(client, personas, persona):
    rule = TierRule.objects.first()
    _login(client, getattr(personas, persona))
    assert client.get(reverse("cases:tier_rules")).status_code == 403
    assert client.get(reverse("cases:tier_rule_create")).status_code == 403
    assert client.post(reverse("cases:tier_rule_edit", args=[rule.uuid]), {}).status_code == 403


def test_unknown_tier_rule_is_404(client, personas):
    url = reverse("cases:tier_rule_edit", args=["8b7c0a52-2f7e-4c1e-9d1c-000000000000"])
    assert _login(client, personas.admin).get(url).status_code == 404


# ---- service statistics ----------------------------------------------------------------


def test_activity_form_and_monthly_summary(client, personas, areas):
    _login(client, personas.caseworker)
    assert client.get(reverse("cases:activity_create")).status_code == 200
    response = client.post(
        reverse("cases:activity_create"),
        {
            "kind": "group",
            "date": TODAY.isoformat(),
            "area": areas.community.pk,
            "title": "四点半课堂",
            "sessions": "4",
            "attendees": "12",
            "person_times": "45",
        },
    )
    assert response.status_code == 302
    listing = client.get(reverse("cases:activities"))
    assert "四点半课堂" in listing.text and "45" in listing.text
    worklist = client.get(reverse("cases:worklist"))
    assert "服务统计" in worklist.text


def test_activity_form_refuses_an_area_out_of_scope(client, personas, areas):
    response = _login(client, personas.caseworker).post(
        reverse("cases:activity_create"),
        {
            "kind": "case",
            "date": TODAY.isoformat(),
            "area": areas.far.pk,
            "title": "x",
            "sessions": "1",
            "attendees": "1",
            "person_times": "1",
        },
    )
    assert response.status_code == 400
    assert not ServiceActivity.objects.exists()


def test_activity_pages_scope_and_roles(client, personas, areas):
    services.service_activity_record(
        actor=personas.outsider, kind="case", date=TODAY, area=areas.far, title="南门个案"
    )
    listing = _login(client, personas.caseworker).get(reverse("cases:activities"))
    assert "南门个案" not in listing.text
    assert _login(client, personas.no_area).get(reverse("cases:activities")).status_code == 200
    assert _login(client, personas.viewer).get(reverse("cases:activity_create")).status_code == 403
    assert _login(client, personas.provider).get(reverse("cases:activities")).status_code == 403
