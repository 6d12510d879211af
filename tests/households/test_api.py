"""The registry REST API, end to end through APIClient: scope, roles, validation, pagination."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AccessLog, AuditEvent
from households import idnumber
from households.models import Enrolment, Household, Member
from tests import factories

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"api-households:{name}", args=[str(a) for a in args])


def messages(response, field="detail"):
    """The error messages of one field, joined, so a test can look for a phrase."""
    return " ".join(str(m) for m in response.json()[field])


def response_text(response):
    return json.dumps(response.json(), ensure_ascii=False)


def assert_no_secret_fields(payload):
    """No integer ids, ciphers or hashes anywhere in a response, and numbers only masked."""
    text = json.dumps(payload, ensure_ascii=False)
    for key in ('"id":', '"pk":', "id_number_cipher", "id_number_hash", '"id_number":'):
        assert key not in text
    for number in Member.objects.values_list("id_number_cipher", flat=True):
        assert idnumber.decrypt(number) not in text


def member_body(**overrides):
    body = {
        "name": "李桂兰",
        "id_number": factories.id_number(sex="F"),
        "relation": "spouse",
        "health": "chronic",
        "monthly_income": "300.00",
    }
    body.update(overrides)
    return body


@pytest.fixture
def head(household):
    return household.head


@pytest.fixture
def child(household):
    return household.members.get(name="王小明")


@pytest.fixture
def applied(household):
    """A 低保 application of the caseworker's household, awaiting a decision."""
    return factories.enrolment(household=household, category="dibao", approve=False)


# ---- authentication and schema ---------------------------------------------------------


def test_token_from_username_and_password_works(client, personas, household):
    response = client.post(
        reverse("api-token"), {"username": "caseworker", "password": "pw-caseworker"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    listed = client.get(url("household-list"), HTTP_AUTHORIZATION=f"Token {token}")
    assert listed.status_code == 200
    assert [h["address"] for h in listed.json()["results"]] == ["狮林寺巷8号"]


def test_token_refused_for_wrong_password(client, personas):
    response = client.post(reverse("api-token"), {"username": "caseworker", "password": "nope"})
    assert response.status_code == 400


def test_anonymous_requests_are_refused(api, household):
    assert api(None).get(url("household-list")).status_code == 401
    assert api(None).get(url("household-detail", household.uuid)).status_code == 401


def test_schema_and_docs_for_signed_in_user(api, personas):
    client = api(personas.caseworker)
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    operations = {
        op["operationId"] for path in schema.json()["paths"].values() for op in path.values()
    }
    assert {"household_list", "member_reveal_id_number", "enrolment_approve"} <= operations
    assert client.get(reverse("api-docs")).status_code == 200


def test_api_docs_page_has_no_inline_style(client, personas):
    """The site's CSP (style-src 'self') blocks inline style: the docs page links its rules."""
    client.force_login(personas.caseworker)
    page = client.get(reverse("api-docs")).content.decode()
    assert "<style" not in page and " style=" not in page
    assert "/static/css/swagger.css" in page and "swagger-ui" in page


def test_api_module_reads_no_model_managers():
    source = (Path(__file__).parents[2] / "households" / "api.py").read_text()
    assert ".objects" not in source


# ---- areas -----------------------------------------------------------------------------


def test_area_list_is_scoped_and_filtered(api, personas, areas):
    client = api(personas.caseworker)
    codes = [a["code"] for a in client.get(url("area-list")).json()["results"]]
    assert sorted(codes) == [areas.community.code, areas.grid.code]
    grids = client.get(url("area-list"), {"level": "grid"}).json()["results"]
    assert grids == [
        {
            "code": areas.grid.code,
            "name": "狮林一网格",
            "level": "grid",
            "parent": areas.community.code,
        }
    ]
    children = api(personas.admin).get(url("area-list"), {"parent": areas.street.code})
    assert {a["code"] for a in children.json()["results"]} == {
        areas.community.code,
        areas.neighbour.code,
    }


def test_area_list_rejects_unknown_level(api, personas):
    response = api(personas.caseworker).get(url("area-list"), {"level": "planet"})
    assert response.status_code == 400
    assert "level" in response.json()


def test_area_list_is_empty_without_an_area(api, personas, areas):
    assert api(personas.no_area).get(url("area-list")).json()["results"] == []


def test_area_detail(api, personas, areas):
    response = api(personas.caseworker).get(url("area-detail", areas.grid.code))
    assert response.status_code == 200
    assert response.json()["parent"] == areas.community.code


@pytest.mark.parametrize("persona", ["outsider", "no_area"])
def test_area_detail_out_of_scope_is_not_found(api, personas, areas, persona):
    response = api(getattr(personas, persona)).get(url("area-detail", areas.community.code))
    assert response.status_code == 404


# ---- households: list ------------------------------------------------------------------


def test_household_list_shows_scope_only_with_masked_numbers(
    api, personas, household, far_household
):
    response = api(personas.caseworker).get(url("household-list"))
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["uuid"] == str(household.uuid)
    assert row["area"] == {"code": "320506001001001", "name": "狮林一网格"}
    assert row["head"]["id_number_masked"] == household.head.id_number_masked
    assert "*" in row["head"]["id_number_masked"]
    assert_no_secret_fields(response.json())


def test_lists_leave_phone_numbers_out_details_show_them(api, personas, areas):
    home = factories.household(area=areas.grid, actor=personas.caseworker, phone="13912345678")
    client = api(personas.caseworker)
    for name in ("household-list", "member-list"):
        assert "13912345678" not in client.get(url(name)).content.decode()
    assert client.get(url("household-detail", home.uuid)).json()["phone"] == "13912345678"
    assert "phone" in client.get(url("member-detail", home.head.uuid)).json()


def test_household_list_filters(api, personas, household, child, areas):
    other = factories.household(area=areas.neighbour, actor=personas.supervisor)
    factories.enrolment(household=other, category="dibao")
    client = api(personas.supervisor)

    def listed(**params):
        return [h["uuid"] for h in client.get(url("household-list"), params).json()["results"]]

    assert listed(q="王小明") == [str(household.uuid)]
    number = idnumber.decrypt(child.id_number_cipher)
    assert client.get(url("household-list"), {"q": number}).status_code == 400  # not in a URL
    found = client.post(url("household-search"), {"id_number": number}, format="json")
    assert [h["uuid"] for h in found.json()["results"]] == [str(household.uuid)]
    assert listed(area=areas.neighbour.code) == [str(other.uuid)]
    assert listed(category="dibao") == [str(other.uuid)]
    assert listed(status="closed") == []


def test_household_list_rejects_bad_filter(api, personas):
    response = api(personas.caseworker).get(url("household-list"), {"category": "gold"})
    assert response.status_code == 400
    assert "category" in response.json()


@pytest.mark.parametrize("persona", ["no_area", "provider", "outsider"])
def test_household_list_empty_for_those_who_may_not_see(api, personas, household, persona):
    response = api(getattr(personas, persona)).get(url("household-list"))
    assert response.status_code == 200
    assert str(household.uuid) not in response.text


# ---- households: create ----------------------------------------------------------------


def household_body(area, **head):
    return {
        "area": area.code,
        "address": "狮林寺巷12号",
        "phone": "13800000000",
        "head": {"name": "赵大伯", "id_number": factories.id_number(), **head},
    }


def test_household_create_registers_head(api, personas, areas):
    response = api(personas.caseworker).post(
        url("household-list"), household_body(areas.community), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["head"]["name"] == "赵大伯"
    assert [m["relation"] for m in body["members"]] == ["head"]
    assert body["version"] == 1
    assert_no_secret_fields(body)
    household = Household.objects.get(uuid=body["uuid"])
    assert AuditEvent.objects.filter(verb="household.create", object_id=household.pk).exists()


def test_household_create_bad_checksum_names_id_number_and_saves_nothing(api, personas, areas):
    number = factories.id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    response = api(personas.caseworker).post(
        url("household-list"), household_body(areas.community, id_number=wrong), format="json"
    )
    assert response.status_code == 400
    assert "校验位错误" in messages(response, "id_number")
    assert not Household.objects.exists()
    assert not Member.objects.exists()


def test_household_create_needs_a_community_or_grid_in_scope(api, personas, areas):
    client = api(personas.caseworker)
    street = client.post(url("household-list"), household_body(areas.street), format="json")
    assert street.status_code == 400
    assert "area" in street.json()
    outside = client.post(url("household-list"), household_body(areas.far), format="json")
    assert outside.status_code == 400
    assert "管辖范围" in messages(outside, "area")
    assert not Household.objects.exists()


def test_household_create_at_street_level_says_community_or_grid(api, personas, areas):
    response = api(personas.supervisor).post(
        url("household-list"), household_body(areas.street), format="json"
    )
    assert response.status_code == 400
    assert "社区或网格" in messages(response, "area")


@pytest.mark.parametrize("persona", ["viewer", "provider"])
def test_household_create_refused_to_read_only_roles(api, personas, areas, persona):
    response = api(getattr(personas, persona)).post(
        url("household-list"), household_body(areas.community), format="json"
    )
    assert response.status_code == 403
    assert not Household.objects.exists()


def test_household_create_without_area_is_refused(api, personas, areas):
    response = api(personas.no_area).post(
        url("household-list"), household_body(areas.community), format="json"
    )
    assert response.status_code == 400
    assert not Household.objects.exists()


# ---- households: detail and update -----------------------------------------------------


def test_household_detail_has_members_and_enrolments_masked(api, personas, household, child):
    factories.enrolment(household=household, category="dibao")
    response = api(personas.viewer).get(url("household-detail", household.uuid))
    assert response.status_code == 200
    body = response.json()
    assert {m["name"] for m in body["members"]} == {"王建国", "王小明"}
    (enrolment,) = body["enrolments"]
    assert enrolment["category"] == "dibao"
    assert {m["uuid"] for m in enrolment["members"]} == {str(household.head.uuid), str(child.uuid)}
    assert_no_secret_fields(body)
    log = AccessLog.objects.get(action=AccessLog.Action.VIEW_HOUSEHOLD)
    assert (log.actor, log.household_id) == (personas.viewer, household.pk)


@pytest.mark.parametrize("persona", ["outsider", "no_area", "provider"])
def test_household_detail_not_found_out_of_scope(api, personas, household, persona):
    response = api(getattr(personas, persona)).get(url("household-detail", household.uuid))
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_household_detail_unknown_uuid_is_not_found(api, personas):
    response = api(personas.admin).get(
        url("household-detail", "00000000-0000-0000-0000-000000000000")
    )
    assert response.status_code == 404


def test_household_update_with_version(api, personas, household, areas):
    response = api(personas.caseworker).patch(
        url("household-detail", household.uuid),
        {"version": 1, "address": "狮林寺巷9号", "area": areas.community.code},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    household.refresh_from_db()
    assert (household.address, household.area_code) == ("狮林寺巷9号", areas.community.prefix)
    event = AuditEvent.objects.get(verb="household.update")
    assert event.changes["address"] == ["狮林寺巷8号", "狮林寺巷9号"]


def test_household_update_stale_version_conflicts(api, personas, household):
    client = api(personas.caseworker)
    detail = url("household-detail", household.uuid)
    assert client.patch(detail, {"version": 1, "note": "一"}, format="json").status_code == 200
    stale = client.patch(detail, {"version": 1, "address": "别处"}, format="json")
    assert stale.status_code == 409
    assert "已被他人修改" in stale.json()["detail"]
    household.refresh_from_db()
    assert (household.address, household.version) == ("狮林寺巷8号", 2)


def test_household_update_requires_version_and_valid_input(api, personas, household):
    client = api(personas.caseworker)
    detail = url("household-detail", household.uuid)
    missing = client.patch(detail, {"address": "别处"}, format="json")
    assert missing.status_code == 400
    assert "version" in missing.json()
    blank = client.patch(detail, {"version": 1, "address": ""}, format="json")
    assert blank.status_code == 400
    household.refresh_from_db()
    assert (household.address, household.version) == ("狮林寺巷8号", 1)


@pytest.mark.parametrize(
    ("persona", "status"), [("viewer", 403), ("outsider", 404), ("provider", 404), ("no_area", 404)]
)
def test_household_update_refused(api, personas, household, persona, status):
    response = api(getattr(personas, persona)).patch(
        url("household-detail", household.uuid), {"version": 1, "note": "x"}, format="json"
    )
    assert response.status_code == status
    household.refresh_from_db()
    assert household.note == ""


# ---- members ---------------------------------------------------------------------------


def test_member_list_scoped_filtered_and_masked(api, personas, household, child, far_household):
    client = api(personas.caseworker)
    response = client.get(url("member-list"), {"household": str(household.uuid)})
    assert response.status_code == 200
    assert {m["name"] for m in response.json()["results"]} == {"王建国", "王小明"}
    assert_no_secret_fields(response.json())
    number = idnumber.decrypt(child.id_number_cipher)
    assert client.get(url("member-list"), {"q": number}).status_code == 400  # not in a URL
    by_number = client.post(url("member-search"), {"id_number": number}, format="json")
    assert [m["uuid"] for m in by_number.json()["results"]] == [str(child.uuid)]
    far = client.get(url("member-list"), {"household": str(far_household.uuid)})
    assert far.json()["results"] == []


def test_member_list_rejects_bad_household_filter(api, personas):
    response = api(personas.caseworker).get(url("member-list"), {"household": "not-a-uuid"})
    assert response.status_code == 400


@pytest.mark.parametrize("persona", ["no_area", "provider", "outsider"])
def test_member_list_empty_for_those_who_may_not_see(api, personas, household, persona):
    assert api(getattr(personas, persona)).get(url("member-list")).json()["results"] == []


def test_member_create(api, personas, household):
    body = member_body(household=str(household.uuid))
    response = api(personas.caseworker).post(url("member-list"), body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["household"] == str(household.uuid)
    assert created["id_number_masked"] == idnumber.mask(body["id_number"])
    assert created["sex"] == "F"
    assert_no_secret_fields(created)


def test_member_create_bad_checksum_names_id_number(api, personas, household):
    number = factories.id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    body = member_body(household=str(household.uuid), id_number=wrong)
    response = api(personas.caseworker).post(url("member-list"), body, format="json")
    assert response.status_code == 400
    assert "校验位错误" in messages(response, "id_number")
    assert household.members.count() == 2


def test_member_create_cannot_add_a_second_head(api, personas, household):
    body = member_body(household=str(household.uuid), relation="head")
    response = api(personas.caseworker).post(url("member-list"), body, format="json")
    assert response.status_code == 400
    assert "户主" in messages(response, "relation")


def test_member_update_keeps_the_head_where_it_is(api, personas, head, child):
    client = api(personas.caseworker)
    same = client.patch(
        url("member-detail", head.uuid), {"version": 1, "relation": "head"}, format="json"
    )
    assert same.status_code == 200
    for member in (head, child):
        relation = "spouse" if member == head else "head"
        response = client.patch(
            url("member-detail", member.uuid), {"version": 1, "relation": relation}, format="json"
        )
        assert response.status_code == 400
        assert "户主" in messages(response, "relation")


def test_duplicate_number_in_scope_names_the_household(api, personas, areas, household, child):
    number = idnumber.decrypt(child.id_number_cipher)
    other = factories.household(area=areas.grid, actor=personas.caseworker)
    body = member_body(household=str(other.uuid), id_number=number)
    response = api(personas.caseworker).post(url("member-list"), body, format="json")
    assert response.status_code == 400
    assert "狮林寺巷8号" in messages(response, "id_number")
    assert "王小明" in messages(response, "id_number")


def test_duplicate_number_from_outsider_reveals_nothing(
    api, personas, household, child, far_household
):
    number = idnumber.decrypt(child.id_number_cipher)
    body = member_body(household=str(far_household.uuid), id_number=number)
    response = api(personas.outsider).post(url("member-list"), body, format="json")
    assert response.status_code == 400
    text = messages(response, "id_number")
    assert "其他地区" in text
    for secret in ("狮林", "王小明", "王建国", household.address):
        assert secret not in response.text
    assert far_household.members.count() == 1


@pytest.mark.parametrize(
    ("persona", "status"), [("viewer", 403), ("outsider", 404), ("provider", 404), ("no_area", 404)]
)
def test_member_create_refused(api, personas, household, persona, status):
    body = member_body(household=str(household.uuid))
    response = api(getattr(personas, persona)).post(url("member-list"), body, format="json")
    assert response.status_code == status
    assert household.members.count() == 2


def test_member_detail(api, personas, child):
    response = api(personas.viewer).get(url("member-detail", child.uuid))
    assert response.status_code == 200
    assert response.json()["id_number_masked"] == child.id_number_masked
    assert_no_secret_fields(response.json())


@pytest.mark.parametrize("persona", ["outsider", "no_area", "provider"])
def test_member_detail_not_found_out_of_scope(api, personas, child, persona):
    response = api(getattr(personas, persona)).get(url("member-detail", child.uuid))
    assert response.status_code == 404


def test_member_update(api, personas, child):
    response = api(personas.teammate).patch(
        url("member-detail", child.uuid),
        {"version": 1, "health": "serious", "illness": "尿毒症", "has_caregiver": False},
        format="json",
    )
    assert response.status_code == 200, response.json()
    child.refresh_from_db()
    assert (child.health, child.illness, child.has_caregiver, child.version) == (
        "serious",
        "尿毒症",
        False,
        2,
    )
    assert AuditEvent.objects.filter(verb="member.update", object_id=child.pk).exists()


def test_member_update_bad_number_and_stale_version_change_nothing(api, personas, child):
    client = api(personas.caseworker)
    detail = url("member-detail", child.uuid)
    bad = client.patch(detail, {"version": 1, "name": "王大明", "id_number": "123"}, format="json")
    assert bad.status_code == 400
    assert "18位" in messages(bad, "id_number")
    assert client.patch(detail, {"version": 1, "phone": "1"}, format="json").status_code == 200
    stale = client.patch(detail, {"version": 1, "name": "王大明"}, format="json")
    assert stale.status_code == 409
    child.refresh_from_db()
    assert (child.name, child.version) == ("王小明", 2)


@pytest.mark.parametrize(
    ("persona", "status"), [("viewer", 403), ("outsider", 404), ("provider", 404)]
)
def test_member_update_refused(api, personas, child, persona, status):
    response = api(getattr(personas, persona)).patch(
        url("member-detail", child.uuid), {"version": 1, "name": "改名"}, format="json"
    )
    assert response.status_code == status
    child.refresh_from_db()
    assert child.name == "王小明"


# ---- members: reveal -------------------------------------------------------------------


def test_reveal_gives_admin_the_number_and_logs_it(api, personas, child):
    response = api(personas.admin).post(
        url("member-reveal-id-number", child.uuid), {"reason": "核对低保申请材料"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"id_number": idnumber.decrypt(child.id_number_cipher)}
    assert response["Cache-Control"] == "no-store"
    log = AccessLog.objects.get(action=AccessLog.Action.REVEAL_ID)
    assert (log.actor, log.object_id, log.household_id) == (
        personas.admin,
        child.pk,
        child.household_id,
    )


@pytest.mark.parametrize("persona", ["caseworker", "viewer"])
def test_reveal_refused_without_the_permission(api, personas, child, persona):
    response = api(getattr(personas, persona)).post(
        url("member-reveal-id-number", child.uuid), {"reason": "核对"}, format="json"
    )
    assert response.status_code == 403
    assert "id_number" not in response.json()
    assert not AccessLog.objects.filter(action=AccessLog.Action.REVEAL_ID).exists()


@pytest.mark.parametrize("persona", ["outsider", "no_area", "provider"])
def test_reveal_out_of_scope_is_not_found(api, personas, child, persona):
    response = api(getattr(personas, persona)).post(
        url("member-reveal-id-number", child.uuid), {"reason": "核对"}, format="json"
    )
    assert response.status_code == 404


def test_reveal_is_post_only(api, personas, child):
    response = api(personas.admin).get(url("member-reveal-id-number", child.uuid))
    assert response.status_code == 405
    assert not AccessLog.objects.exists()


# ---- enrolments: list and apply --------------------------------------------------------


def test_enrolment_list_scoped_and_filtered(api, personas, household, far_household):
    dibao = factories.enrolment(household=household, category="dibao")
    factories.enrolment(household=far_household, category="dibao")
    client = api(personas.caseworker)
    rows = client.get(url("enrolment-list")).json()["results"]
    assert [r["uuid"] for r in rows] == [str(dibao.uuid)]
    assert client.get(url("enrolment-list"), {"status": "applied"}).json()["results"] == []
    assert client.get(url("enrolment-list"), {"category": "tekun"}).json()["results"] == []
    by_household = client.get(url("enrolment-list"), {"household": str(household.uuid)})
    assert len(by_household.json()["results"]) == 1
    assert_no_secret_fields(rows)


def test_enrolment_list_rejects_bad_status(api, personas):
    response = api(personas.caseworker).get(url("enrolment-list"), {"status": "maybe"})
    assert response.status_code == 400


@pytest.mark.parametrize("persona", ["no_area", "provider", "outsider"])
def test_enrolment_list_empty_for_those_who_may_not_see(api, personas, applied, persona):
    assert api(getattr(personas, persona)).get(url("enrolment-list")).json()["results"] == []


def apply_body(household, category="dibao", **extra):
    body = {
        "household": str(household.uuid),
        "category": category,
        "start_date": "2026-03-01",
        "monthly_amount": "850.00",
        "review_due": "2027-03-01",
        "reason": "家庭人均收入低于当地低保标准",
    }
    body.update(extra)
    return body


def test_enrolment_apply(api, personas, household, child):
    response = api(personas.caseworker).post(
        url("enrolment-list"), apply_body(household, members=[str(child.uuid)]), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["category"], body["applied_by"]) == (
        "applied",
        "dibao",
        "caseworker",
    )
    assert [m["uuid"] for m in body["members"]] == [str(child.uuid)]
    assert AuditEvent.objects.filter(verb="enrolment.apply").exists()


def test_enrolment_apply_tekun_for_one_member(api, personas, household, child):
    body = apply_body(household, category="tekun", member=str(child.uuid))
    response = api(personas.caseworker).post(url("enrolment-list"), body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["member"]["uuid"] == str(child.uuid)


def test_enrolment_apply_tekun_needs_a_member(api, personas, household):
    body = apply_body(household, category="tekun")
    response = api(personas.caseworker).post(url("enrolment-list"), body, format="json")
    assert response.status_code == 400
    assert "特困按人认定" in messages(response, "member")


def test_enrolment_apply_linshi_needs_end_date(api, personas, household):
    body = apply_body(household, category="linshi")
    response = api(personas.caseworker).post(url("enrolment-list"), body, format="json")
    assert response.status_code == 400
    assert "临时救助必须填写终止日期" in messages(response, "end_date")
    assert not Enrolment.objects.exists()


def test_enrolment_apply_dibao_and_dibian_conflict(api, personas, household):
    factories.enrolment(household=household, category="dibao")
    body = apply_body(household, category="dibian")
    response = api(personas.caseworker).post(url("enrolment-list"), body, format="json")
    assert response.status_code == 400
    assert "不能同时享受低保和低边" in messages(response)
    assert Enrolment.objects.count() == 1


def test_enrolment_apply_dibao_refuses_a_tekun_member(api, personas, household, child):
    factories.enrolment(household=household, category="tekun", member=child)
    body = apply_body(household, members=[str(household.head.uuid), str(child.uuid)])
    response = api(personas.caseworker).post(url("enrolment-list"), body, format="json")
    assert response.status_code == 400
    assert "王小明 已是特困供养人员" in messages(response)


def test_enrolment_apply_refuses_members_out_of_scope(api, personas, household, far_household):
    body = apply_body(household, members=[str(far_household.head.uuid)])
    response = api(personas.caseworker).post(url("enrolment-list"), body, format="json")
    assert response.status_code == 400
    assert "南门" not in response.text
    assert "members" in response.json()


def test_enrolment_apply_refuses_unknown_category(api, personas, household):
    body = apply_body(household, category="gold")
    response = api(personas.caseworker).post(url("enrolment-list"), body, format="json")
    assert response.status_code == 400
    assert "category" in response.json()


@pytest.mark.parametrize(
    ("persona", "status"), [("viewer", 403), ("outsider", 404), ("provider", 404), ("no_area", 404)]
)
def test_enrolment_apply_refused(api, personas, household, persona, status):
    response = api(getattr(personas, persona)).post(
        url("enrolment-list"), apply_body(household), format="json"
    )
    assert response.status_code == status
    assert not Enrolment.objects.exists()


# ---- enrolments: detail and update -----------------------------------------------------


def test_enrolment_detail(api, personas, applied):
    response = api(personas.viewer).get(url("enrolment-detail", applied.uuid))
    assert response.status_code == 200
    assert response.json()["status"] == "applied"
    assert_no_secret_fields(response.json())


@pytest.mark.parametrize("persona", ["outsider", "no_area", "provider"])
def test_enrolment_detail_not_found_out_of_scope(api, personas, applied, persona):
    response = api(getattr(personas, persona)).get(url("enrolment-detail", applied.uuid))
    assert response.status_code == 404


def test_enrolment_update_while_applied(api, personas, applied):
    response = api(personas.caseworker).patch(
        url("enrolment-detail", applied.uuid),
        {"version": 1, "monthly_amount": "900.00", "review_due": "2026-12-31"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    applied.refresh_from_db()
    assert (str(applied.monthly_amount), applied.review_due, applied.version) == (
        "900.00",
        dt.date(2026, 12, 31),
        2,
    )
    assert AuditEvent.objects.filter(verb="enrolment.update", object_id=applied.pk).exists()


def test_enrolment_update_checks_dates(api, personas, applied):
    response = api(personas.caseworker).patch(
        url("enrolment-detail", applied.uuid),
        {"version": 1, "end_date": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "终止日期不能早于起始日期" in response_text(response)
    applied.refresh_from_db()
    assert (applied.end_date, applied.version) == (None, 1)


def test_enrolment_update_checks_combinations_again(api, personas, household):
    factories.enrolment(household=household, category="dibao", end_date=dt.date(2026, 12, 31))
    dibian = factories.enrolment(
        household=household, category="dibian", start=dt.date(2027, 1, 1), approve=False
    )
    response = api(personas.caseworker).patch(
        url("enrolment-detail", dibian.uuid),
        {"version": 1, "start_date": "2026-06-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "不能同时享受低保和低边" in messages(response)
    dibian.refresh_from_db()
    assert dibian.start_date == dt.date(2027, 1, 1)


def test_enrolment_update_keeps_linshi_end_date(api, personas, household):
    linshi = factories.enrolment(
        household=household, category="linshi", end_date=dt.date(2026, 3, 31), approve=False
    )
    response = api(personas.caseworker).patch(
        url("enrolment-detail", linshi.uuid), {"version": 1, "end_date": None}, format="json"
    )
    assert response.status_code == 400
    assert "临时救助必须填写终止日期" in messages(response, "end_date")
    linshi.refresh_from_db()
    assert linshi.end_date == dt.date(2026, 3, 31)


def test_enrolment_update_stale_version_conflicts(api, personas, applied):
    client = api(personas.caseworker)
    detail = url("enrolment-detail", applied.uuid)
    assert client.patch(detail, {"version": 1, "reason": "补充"}, format="json").status_code == 200
    stale = client.patch(detail, {"version": 1, "monthly_amount": "1.00"}, format="json")
    assert stale.status_code == 409
    applied.refresh_from_db()
    assert (applied.reason, applied.version) == ("补充", 2)


def test_enrolment_update_only_while_applied(api, personas, household):
    approved = factories.enrolment(household=household, category="dibao")
    response = api(personas.caseworker).patch(
        url("enrolment-detail", approved.uuid),
        {"version": approved.version, "monthly_amount": "1.00"},
        format="json",
    )
    assert response.status_code == 400
    assert "只有待审批的申请可以修改" in messages(response)


@pytest.mark.parametrize(
    ("persona", "status"), [("viewer", 403), ("outsider", 404), ("provider", 404)]
)
def test_enrolment_update_refused(api, personas, applied, persona, status):
    response = api(getattr(personas, persona)).patch(
        url("enrolment-detail", applied.uuid), {"version": 1, "reason": "x"}, format="json"
    )
    assert response.status_code == status
    applied.refresh_from_db()
    assert applied.version == 1


# ---- enrolments: decisions -------------------------------------------------------------


def test_enrolment_approve(api, personas, applied):
    response = api(personas.admin).post(url("enrolment-approve", applied.uuid), {}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["decided_by"]) == ("approved", "admin")
    again = api(personas.admin).post(url("enrolment-approve", applied.uuid), {}, format="json")
    assert again.status_code == 400
    assert "已批准" in messages(again)


def test_enrolment_reject_needs_a_reason(api, personas, applied):
    client = api(personas.admin)
    silent = client.post(url("enrolment-reject", applied.uuid), {"reason": " "}, format="json")
    assert silent.status_code == 400
    assert "理由" in messages(silent, "reason")
    applied.refresh_from_db()
    assert applied.status == "applied"
    response = client.post(
        url("enrolment-reject", applied.uuid), {"reason": "收入超标"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_reason"]) == (
        "rejected",
        "收入超标",
    )


def test_enrolment_suspend_and_end(api, personas, household):
    approved = factories.enrolment(household=household, category="dibao")
    client = api(personas.admin)
    no_reason = client.post(url("enrolment-suspend", approved.uuid), {}, format="json")
    assert no_reason.status_code == 400
    suspended = client.post(
        url("enrolment-suspend", approved.uuid), {"reason": "待核查"}, format="json"
    )
    assert suspended.json()["status"] == "suspended"
    ended = client.post(
        url("enrolment-end", approved.uuid),
        {"reason": "收入已超标准", "end_date": "2026-10-31"},
        format="json",
    )
    assert ended.status_code == 200, ended.json()
    assert (ended.json()["status"], ended.json()["end_date"]) == ("ended", "2026-10-31")


def test_enrolment_end_before_start_changes_nothing(api, personas, household):
    approved = factories.enrolment(household=household, category="dibao")
    response = api(personas.admin).post(
        url("enrolment-end", approved.uuid),
        {"reason": "x", "end_date": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 400
    approved.refresh_from_db()
    assert (approved.status, approved.end_date) == ("approved", None)


@pytest.mark.parametrize("action", ["approve", "reject", "suspend", "end"])
@pytest.mark.parametrize(
    ("persona", "status"),
    [("caseworker", 403), ("viewer", 403), ("outsider", 404), ("provider", 404), ("no_area", 404)],
)
def test_enrolment_decisions_refused(api, personas, applied, action, persona, status):
    response = api(getattr(personas, persona)).post(
        url(f"enrolment-{action}", applied.uuid), {"reason": "理由"}, format="json"
    )
    assert response.status_code == status
    applied.refresh_from_db()
    assert (applied.status, applied.version) == ("applied", 1)


# ---- pagination and query counts -------------------------------------------------------


@pytest.fixture
def many(areas, personas):
    """Eight households of the grid, each with two members and a 低保 enrolment."""
    homes = []
    for n in range(8):
        home = factories.household(area=areas.grid, actor=personas.caseworker, address=f"{n}号")
        factories.member(household=home, actor=personas.caseworker, relation="child")
        factories.enrolment(household=home, category="dibao")
        homes.append(home)
    return homes


@pytest.mark.parametrize(
    ("name", "queries"),
    [("area-list", 1), ("household-list", 1), ("member-list", 1), ("enrolment-list", 2)],
)
def test_list_query_count_does_not_grow_with_page_size(
    api, personas, many, django_assert_num_queries, name, queries
):
    client = api(personas.admin)
    for size in (5, 50):
        with django_assert_num_queries(queries):
            response = client.get(url(name), {"page_size": size})
        assert response.status_code == 200


def test_pages_follow_the_cursor_without_offset(api, personas, many):
    client = api(personas.caseworker)
    seen, link = [], url("household-list") + "?page_size=3"
    with CaptureQueriesContext(connection) as queries:
        while link:
            page = client.get(link).json()
            seen += [h["uuid"] for h in page["results"]]
            link = page["next"]
    assert seen == [str(h.uuid) for h in reversed(many)]
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


def test_page_size_is_capped(api, personas, many):
    response = api(personas.caseworker).get(url("member-list"), {"page_size": 1000})
    assert len(response.json()["results"]) == 16


@pytest.mark.parametrize("cursor", ["bz0zJnA9OTk=", "cD1hYmM=", "garbage"])
def test_forged_cursor_is_not_found(api, personas, many, cursor):
    # "o=3&p=99" (an offset), "p=abc" (not a key) and a non-base64 string
    response = api(personas.caseworker).get(url("household-list"), {"cursor": cursor})
    assert response.status_code == 404
