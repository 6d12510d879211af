"""The access log searched as people search it: a household by name, address or identity
number (POST), reveals by their reason, exports and other details in readable words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.audit import log_access
from core.models import AccessLog
from households import idnumber, services

pytestmark = pytest.mark.django_db

PAGE = reverse("audit:access_log")
ID_SEARCH = reverse("audit:access_log_id_search")
EXPORT = reverse("audit:access_log_export")
API = reverse("api-audit:access-log-list")
API_SEARCH = reverse("api-audit:access-log-search")


def _view(user, household):
    return log_access(
        actor=user, action=AccessLog.Action.VIEW_HOUSEHOLD, obj=household, household_id=household.pk
    )


@pytest.fixture
def entries(personas, household, far_household, areas):
    from tests import factories

    neighbour = factories.household(area=areas.grid, actor=personas.caseworker, address="东大街1号")
    return {
        "home": _view(personas.caseworker, household),
        "neighbour": _view(personas.caseworker, neighbour),
        "far": _view(personas.outsider, far_household),
    }


def _page_ids(response) -> set[int]:
    return {entry.pk for entry in response.context["page"].items}


def _number(member) -> str:
    return idnumber.decrypt(member.id_number_cipher)


# ---- by name or address (GET) -------------------------------------------------------------


@pytest.mark.parametrize("q", ["王小明", "狮林寺巷"])
def test_the_page_finds_a_household_by_a_members_name_or_its_address(client, personas, entries, q):
    client.force_login(personas.admin)
    response = client.get(PAGE, {"q": q})
    assert response.status_code == 200
    assert _page_ids(response) == {entries["home"].pk}


def test_the_api_finds_a_household_by_name(api, personas, entries):
    response = api(personas.admin).get(API, {"q": "东大街"})
    assert {row["id"] for row in response.json()["results"]} == {entries["neighbour"].pk}


def test_a_name_search_keeps_to_the_readers_area(api, personas, entries, far_household):
    response = api(personas.viewer).get(API, {"q": far_household.address})
    assert response.status_code == 200 and response.json()["results"] == []


def test_an_identity_number_in_the_url_is_refused_and_not_echoed(
    client, api, personas, household, entries
):
    number = _number(household.head)
    client.force_login(personas.admin)
    page = client.get(PAGE, {"q": number, "action": "view_household"})
    assert page.status_code == 400 and number not in page.content.decode()
    assert "按身份证号查找" in page.content.decode() and "狮林寺巷" not in page.content.decode()
    response = api(personas.admin).get(API, {"q": number})
    assert response.status_code == 400 and "q" in response.json()
    assert number not in response.content.decode()


# ---- by identity number (POST) ------------------------------------------------------------


def test_the_page_finds_a_household_by_number_through_post(client, personas, household, entries):
    number = _number(household.members.get(name="王小明"))
    client.force_login(personas.viewer)
    response = client.post(ID_SEARCH, {"id_number": number})
    assert response.status_code == 302
    location = response["Location"]
    assert number not in location and number[:17] not in location
    assert str(household.uuid) in location
    found = client.get(location)
    assert found.status_code == 200 and _page_ids(found) == {entries["home"].pk}
    assert number not in found.content.decode()


def test_a_number_found_nowhere_in_the_area_says_so(client, personas, far_household, entries):
    client.force_login(personas.viewer)
    response = client.post(ID_SEARCH, {"id_number": _number(far_household.head)})
    assert response.status_code == 400
    assert "没有成员持有该身份证号" in response.content.decode()
    assert _number(far_household.head) not in response.content.decode()


def test_the_number_search_is_for_log_readers_only(client, personas, household):
    client.force_login(personas.caseworker)
    assert client.post(ID_SEARCH, {"id_number": _number(household.head)}).status_code == 403
    assert client.get(ID_SEARCH).status_code == 405


def test_the_api_finds_entries_by_number_in_the_body(api, personas, household, entries):
    client = api(personas.admin)
    body = {"id_number": _number(household.head), "action": "view_household"}
    response = client.post(API_SEARCH, body, format="json")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert {row["id"] for row in response.json()["results"]} == {entries["home"].pk}
    assert client.get(API_SEARCH).status_code == 405


def test_the_api_number_search_is_scoped_and_checked(api, personas, far_household, entries):
    far = {"id_number": _number(far_household.head)}
    assert api(personas.viewer).post(API_SEARCH, far, format="json").json()["results"] == []
    bad = api(personas.admin).post(API_SEARCH, {"id_number": "320506"}, format="json")
    assert bad.status_code == 400 and "id_number" in bad.json()
    other = api(personas.caseworker).post(API_SEARCH, far, format="json")
    assert other.status_code == 403


# ---- exports and other details, readable -------------------------------------------------


@pytest.fixture
def export(personas):
    return log_access(
        actor=personas.admin,
        action=AccessLog.Action.EXPORT,
        detail={
            "ledger": "households",
            "format": "xlsx",
            "filters": {"area": "320506001001", "q": "idhash:abc"},
            "as_of": None,
            "rows": 123,
            "full_id_numbers": True,
            "job": None,
        },
    )


def test_the_page_shows_an_exports_ledger_rows_and_full_numbers(client, personas, export):
    client.force_login(personas.admin)
    text = client.get(PAGE, {"action": "export"}).content.decode()
    for shown in ("家庭台账", "行数", "123", "完整身份证号", "含完整号码", "XLSX"):
        assert shown in text
    assert "idhash" not in text and "身份证号（已隐去）" in text


def test_the_csv_shows_readable_details_not_dicts(client, personas, export):
    client.force_login(personas.admin)
    response = client.post(EXPORT, {"action": "export"})
    text = b"".join(response.streaming_content).decode()
    row = text.strip().split("\n")[1]
    assert "台账：家庭台账" in row and "行数：123" in row and "完整身份证号：含完整号码" in row
    assert "{" not in row and "'ledger'" not in row and "idhash" not in row


def test_the_api_gives_readable_details_beside_the_raw_ones(api, personas, export):
    row = api(personas.admin).get(API, {"action": "export"}).json()["results"][0]
    assert row["detail"]["rows"] == 123
    assert {"label": "台账", "text": "家庭台账"} in row["details"]


# ---- reveals: their reason is logged and searchable --------------------------------------


def test_a_reveal_reason_is_shown_and_searchable(client, api, personas, household):
    services.member_reveal_id_number(
        actor=personas.admin, member=household.head, reason="低保年度复核"
    )
    services.member_reveal_id_number(actor=personas.admin, member=household.head, reason="入户")
    client.force_login(personas.admin)
    response = client.get(PAGE, {"reason": "复核"})
    assert len(response.context["page"].items) == 1
    assert "查看事由" in response.content.decode() and "低保年度复核" in response.content.decode()
    rows = api(personas.admin).get(API, {"reason": "复核"}).json()["results"]
    assert [r["detail"]["reason"] for r in rows] == ["低保年度复核"]


def test_a_clash_reads_in_words(client, personas, household):
    log_access(
        actor=personas.caseworker,
        action=AccessLog.Action.ID_NUMBER_CLASH,
        household_id=household.pk,
        detail={"field": "id_number"},
    )
    client.force_login(personas.admin)
    text = client.get(PAGE).content.decode()
    assert "录入的身份证号已在其他地区登记" in text and "字段" in text and "身份证号" in text


def test_an_export_with_a_bad_date_says_so_in_words(client, personas):
    client.force_login(personas.admin)
    answer = client.post(EXPORT, {"date_from": "明天"})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "date_from" not in text and "*" not in text and text
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT_ACCESS_LOG).exists()
