"""Searching the access log: filters, scope, keyset pages, roles, its CSV and its API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.audit import log_access
from core.models import AccessLog
from tests import factories

pytestmark = pytest.mark.django_db

PAGE = reverse("audit:access_log")
EXPORT = reverse("audit:access_log_export")
API = reverse("api-audit:access-log-list")


def _view(user, household):
    return log_access(
        actor=user, action=AccessLog.Action.VIEW_HOUSEHOLD, obj=household, household_id=household.pk
    )


@pytest.fixture
def log(personas, household, far_household):
    """Entries of the home community, of the far one, and one that is nobody's."""
    return {
        "home": _view(personas.caseworker, household),
        "far": _view(personas.outsider, far_household),
        "login": log_access(actor=personas.teammate, action=AccessLog.Action.LOGIN),
        "failed": log_access(
            actor=None, action=AccessLog.Action.LOGIN_FAILED, username="caseworker"
        ),
        "nobody": log_access(actor=None, action=AccessLog.Action.LOGIN_FAILED, username="=cmd|x"),
    }


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# ---- where an entry sits ----------------------------------------------------------------


def test_entries_take_the_household_area_else_the_user_area(log, household, areas):
    assert log["home"].area_code == household.area_code == areas.grid.prefix
    assert log["login"].area_code == areas.community.prefix
    assert log["failed"].area_code == areas.community.prefix  # the tried name's area
    assert log["nobody"].area_code == ""


def test_a_reveal_takes_its_household_area(client, personas, household):
    member = household.members.first()
    client.force_login(personas.admin)
    client.post(reverse("households:member_reveal", args=[member.uuid]), {"reason": "核对"})
    entry = AccessLog.objects.get(action="reveal_id")
    assert entry.area_code == household.area_code and entry.household_id == household.pk


def test_a_real_failed_login_is_placed_and_searchable(client, personas):
    client.post(reverse("login"), {"username": "teammate", "password": "wrong"})
    entry = AccessLog.objects.get(action="login_failed")
    assert entry.area_code == personas.teammate.area.prefix


def test_the_log_stays_append_only(log):
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=log["home"].pk).update(area_code="")


# ---- scope and roles ----------------------------------------------------------------------


def test_an_auditor_sees_entries_of_its_area_only(api, personas, log):
    ids = _ids(api(personas.viewer).get(API))
    assert {log["home"].pk, log["login"].pk, log["failed"].pk} <= ids
    assert log["far"].pk not in ids and log["nobody"].pk not in ids


def test_a_district_admin_sees_the_district_and_entries_of_no_area(api, personas, log):
    ids = _ids(api(personas.admin).get(API))
    assert {e.pk for e in log.values()} <= ids


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "provider", "no_area"])
def test_other_roles_are_refused(client, api, personas, log, who):
    user = getattr(personas, who)
    assert api(user).get(API).status_code == 403
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    assert client.post(EXPORT, {}).status_code == 403
    assert not AccessLog.objects.filter(action="export_access_log").exists()


def test_anonymous_is_sent_to_login(client, api):
    assert client.get(PAGE)["Location"].startswith(reverse("login"))
    assert api(None).get(API).status_code in (401, 403)


# ---- filters ------------------------------------------------------------------------------


def test_filter_by_user(api, personas, log):
    assert _ids(api(personas.admin).get(API, {"user": "caseworker"})) == {
        log["home"].pk,
        log["failed"].pk,
    }


def test_filter_by_household(api, personas, log, far_household):
    response = api(personas.admin).get(API, {"household": str(far_household.uuid)})
    assert _ids(response) == {log["far"].pk}
    assert response.json()["results"][0]["household"] == str(far_household.uuid)


def test_filter_by_a_household_out_of_scope_finds_nothing(api, personas, log, far_household):
    assert _ids(api(personas.viewer).get(API, {"household": str(far_household.uuid)})) == set()


def test_filter_by_action(api, personas, log):
    ids = _ids(api(personas.admin).get(API, {"action": "login_failed"}))
    assert ids == {log["failed"].pk, log["nobody"].pk}


def test_filter_by_time(api, personas, log):
    now = timezone.now()
    past = (now - dt.timedelta(days=1)).isoformat()
    future = (now + dt.timedelta(days=1)).isoformat()
    assert len(_ids(api(personas.admin).get(API, {"since": past, "until": future}))) == 5
    assert _ids(api(personas.admin).get(API, {"since": future})) == set()
    assert _ids(api(personas.admin).get(API, {"until": past})) == set()


def test_bad_filters_are_a_400(api, client, personas, log):
    assert api(personas.admin).get(API, {"action": "nonsense"}).status_code == 400
    assert api(personas.admin).get(API, {"since": "yesterday"}).status_code == 400
    client.force_login(personas.admin)
    response = client.get(PAGE, {"date_from": "2026-02-31"})
    assert response.status_code == 400
    response = client.get(PAGE, {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert response.status_code == 400 and "截止日期不能早于起始日期" in response.text


def test_page_filters_by_whole_days(client, personas, log):
    client.force_login(personas.admin)
    today = timezone.localdate()
    response = client.get(PAGE, {"date_from": today, "date_to": today, "user": "outsider"})
    assert response.status_code == 200
    assert "南门路1号" in response.text and "狮林寺巷8号" not in response.text
    tomorrow = today + dt.timedelta(days=1)
    response = client.get(PAGE, {"date_from": tomorrow})
    assert "南门路1号" not in response.text


# ---- keyset pages -------------------------------------------------------------------------


def test_pages_by_keyset_without_gap_or_repeat(api, client, personas, household):
    made = {_view(personas.caseworker, household).pk for _ in range(60)}
    seen, url = [], API + "?page_size=25&action=view_household"
    while url:
        body = api(personas.viewer).get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) and set(seen) == made
    assert seen == sorted(seen, reverse=True)
    client.force_login(personas.viewer)
    first = client.get(PAGE, {"action": "view_household"})
    assert "下一页" in first.text
    after = first.context["page"].next_cursor
    second = client.get(PAGE, {"action": "view_household", "after": after})
    ids_1 = {e.pk for e in first.context["page"].items}
    ids_2 = {e.pk for e in second.context["page"].items}
    assert len(ids_1) == len(ids_2) == 25 and not ids_1 & ids_2


def test_a_page_costs_the_same_queries_for_few_entries_or_many(client, personas, household):
    client.force_login(personas.admin)
    client.get(PAGE)  # the session and the user, loaded once

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(PAGE).status_code == 200
        return len(ctx.captured_queries)

    _view(personas.caseworker, household)
    few = count()
    for _ in range(40):
        _view(personas.caseworker, household)
    assert count() == few


# ---- CSV ----------------------------------------------------------------------------------


def test_csv_export_is_the_search_and_is_itself_logged(client, personas, log):
    client.force_login(personas.admin)
    response = client.post(EXPORT, {"action": "login_failed"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    lines = text.strip().split("\n")
    assert lines[0].startswith("\ufeff时间")
    assert len(lines) == 3
    assert "'=cmd|x" in text  # a formula typed as a user name stays text in a spreadsheet
    entry = AccessLog.objects.get(action="export_access_log")
    assert entry.actor == personas.admin
    assert entry.detail["filters"] == {"action": "login_failed"}
    assert entry.area_code == personas.admin.area.prefix


def test_csv_export_refuses_bad_input_and_logs_nothing(client, personas, log):
    client.force_login(personas.admin)
    assert client.post(EXPORT, {"date_from": "nonsense"}).status_code == 400
    assert not AccessLog.objects.filter(action="export_access_log").exists()


def test_csv_export_is_post_only(client, personas):
    client.force_login(personas.admin)
    assert client.get(EXPORT).status_code == 405


def test_csv_export_of_an_auditor_keeps_to_its_area(client, personas, log):
    client.force_login(personas.viewer)
    text = b"".join(client.post(EXPORT, {}).streaming_content).decode()
    assert "outsider" not in text and "=cmd" not in text and "caseworker" in text


def test_page_links_households_of_the_entries(client, personas, log, household):
    factories.member(household=household, name="王小红", relation="child")
    client.force_login(personas.viewer)
    response = client.get(PAGE)
    assert reverse("households:detail", args=[household.uuid]) in response.text
