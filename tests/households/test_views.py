import pytest
from django.urls import reverse

from core.models import AccessLog
from households.models import Enrolment, Household, Member
from tests import factories

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _member_post(prefix="", **overrides):
    data = {
        "name": "李桂兰",
        "id_number": factories.id_number(sex="F"),
        "relation": "spouse",
        "phone": "",
        "disability_type": "",
        "disability_grade": "",
        "health": "healthy",
        "illness": "",
        "labour_capacity": "full",
        "employment": "na",
        "schooling": "none",
        "monthly_income": "0",
    }
    data.update(overrides)
    return {f"{prefix}-{k}" if prefix else k: v for k, v in data.items()}


# ---- list ------------------------------------------------------------------------------


def test_list_shows_households_in_scope_only(client, personas, household, far_household):
    response = _login(client, personas.caseworker).get(reverse("households:list"))
    assert response.status_code == 200
    assert "狮林寺巷8号" in response.text
    assert "南门路1号" not in response.text


def test_list_for_district_admin_shows_every_street(client, personas, household, far_household):
    response = _login(client, personas.admin).get(reverse("households:list"))
    assert "狮林寺巷8号" in response.text and "南门路1号" in response.text


def test_list_for_user_without_area_is_empty(client, personas, household):
    response = _login(client, personas.no_area).get(reverse("households:list"))
    assert response.status_code == 200
    assert "狮林寺巷8号" not in response.text


def test_list_for_provider_is_empty(client, personas, household):
    response = _login(client, personas.provider).get(reverse("households:list"))
    assert "狮林寺巷8号" not in response.text


def test_list_requires_login(client):
    response = client.get(reverse("households:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("query", ["王小", "小明", "狮林寺"])
def test_list_searches_name_and_address_fragments(client, personas, household, query):
    other = factories.household(area=household.area, address="别处1号", head={"name": "赵大"})
    response = _login(client, personas.caseworker).get(reverse("households:list"), {"q": query})
    assert "狮林寺巷8号" in response.text
    assert other.address not in response.text


def test_list_searches_exact_identity_number(client, personas, household):
    number = factories.id_number()
    factories.member(household=household, id_number=number, name="陈")
    factories.household(area=household.area, address="别处2号")
    response = _login(client, personas.caseworker).post(
        reverse("households:id_search"), {"id_number": number}
    )
    assert "狮林寺巷8号" in response.text
    assert "别处2号" not in response.text


def test_list_filters_by_category(client, personas, household):
    factories.enrolment(household=household, category="dibao")
    plain = factories.household(area=household.area, address="无救助路1号")
    response = _login(client, personas.caseworker).get(
        reverse("households:list"), {"category": "dibao"}
    )
    assert "狮林寺巷8号" in response.text
    assert plain.address not in response.text


def test_list_pages_by_keyset(client, personas, areas):
    for i in range(30):
        factories.household(area=areas.grid, address=f"翻页路{i}号")
    first = _login(client, personas.caseworker).get(reverse("households:list"))
    assert first.context["page"].next_cursor
    second = client.get(reverse("households:list"), {"after": first.context["page"].next_cursor})
    first_ids = {h.pk for h in first.context["page"].items}
    second_ids = {h.pk for h in second.context["page"].items}
    assert len(first_ids) == 25 and len(second_ids) == 5
    assert not first_ids & second_ids


def test_list_query_count_does_not_grow_with_rows(
    client, personas, areas, django_assert_max_num_queries
):
    for i in range(3):
        factories.household(area=areas.grid, address=f"甲{i}")
    _login(client, personas.caseworker)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("households:list"))
    for i in range(20):
        factories.household(area=areas.grid, address=f"乙{i}")
    with django_assert_max_num_queries(12) as large:
        client.get(reverse("households:list"))
    assert len(small.captured_queries) == len(large.captured_queries)


# ---- detail ----------------------------------------------------------------------------


def test_detail_in_scope_masks_ids_and_logs_the_view(client, personas, household):
    member = household.members.first()
    response = _login(client, personas.caseworker).get(
        reverse("households:detail", args=[household.uuid])
    )
    assert response.status_code == 200
    assert member.id_number_masked in response.text
    assert AccessLog.objects.filter(
        action="view_household", household_id=household.pk, actor=personas.caseworker
    ).exists()


def test_detail_out_of_scope_is_404(client, personas, household):
    response = _login(client, personas.outsider).get(
        reverse("households:detail", args=[household.uuid])
    )
    assert response.status_code == 404


def test_detail_without_area_is_404(client, personas, household):
    response = _login(client, personas.no_area).get(
        reverse("households:detail", args=[household.uuid])
    )
    assert response.status_code == 404


def test_detail_for_street_staff_of_parent_street(client, personas, household):
    response = _login(client, personas.supervisor).get(
        reverse("households:detail", args=[household.uuid])
    )
    assert response.status_code == 200


# ---- create and edit -------------------------------------------------------------------


def _create_post(area, **head):
    data = {
        "household-area": area.pk,
        "household-address": "新登记路5号",
        "household-phone": "13800000000",
        "household-note": "",
    }
    data.update(_member_post(prefix="head", name="周建华", **head))
    data.pop("head-relation")
    return data


def test_create_registers_household_with_head(client, personas, areas):
    response = _login(client, personas.caseworker).post(
        reverse("households:create"), _create_post(areas.grid)
    )
    household = Household.objects.get(address="新登记路5号")
    assert response.status_code == 302
    assert household.head.name == "周建华"
    assert household.head.relation == Member.Relation.HEAD
    assert household.area_code == areas.grid.prefix


def test_create_with_bad_identity_number_shows_field_error_and_writes_nothing(
    client, personas, areas
):
    response = _login(client, personas.caseworker).post(
        reverse("households:create"), _create_post(areas.grid, id_number="320506196005170011")
    )
    assert response.status_code == 400
    assert "校验位错误" in response.text
    assert not Household.objects.filter(address="新登记路5号").exists()


def test_create_outside_scope_area_is_refused(client, personas, areas):
    response = _login(client, personas.caseworker).post(
        reverse("households:create"), _create_post(areas.far)
    )
    assert response.status_code == 400
    assert not Household.objects.filter(address="新登记路5号").exists()


def test_create_as_auditor_is_403(client, personas, areas):
    client = _login(client, personas.viewer)
    assert client.get(reverse("households:create")).status_code == 403
    assert client.post(reverse("households:create"), _create_post(areas.grid)).status_code == 403


def test_edit_as_auditor_is_403_and_outsider_404(client, personas, household):
    url = reverse("households:edit", args=[household.uuid])
    assert _login(client, personas.viewer).get(url).status_code == 403
    assert _login(client, personas.outsider).get(url).status_code == 404


def test_edit_with_stale_version_says_so_and_keeps_data(client, personas, household):
    url = reverse("households:edit", args=[household.uuid])
    data = {
        "area": household.area_id,
        "address": "改过的地址",
        "phone": "",
        "note": "",
        "version": household.version,
    }
    client = _login(client, personas.caseworker)
    assert client.post(url, data).status_code == 302
    data["address"] = "再改一次"
    response = client.post(url, data)  # still the old version
    assert response.status_code == 400
    assert "已被他人修改" in response.text
    household.refresh_from_db()
    assert household.address == "改过的地址"


def test_member_add_with_duplicate_number_in_scope_names_the_holder(client, personas, household):
    existing = household.members.first()
    other = factories.household(area=household.area, address="隔壁1号")
    from households import idnumber

    number = idnumber.decrypt(existing.id_number_cipher)
    response = _login(client, personas.caseworker).post(
        reverse("households:member_add", args=[other.uuid]), _member_post(id_number=number)
    )
    assert response.status_code == 400
    assert "狮林寺巷8号" in response.text


def test_member_add_with_number_active_out_of_scope_reveals_nothing(
    client, personas, household, far_household
):
    from households import idnumber

    number = idnumber.decrypt(far_household.head.id_number_cipher)
    response = _login(client, personas.caseworker).post(
        reverse("households:member_add", args=[household.uuid]), _member_post(id_number=number)
    )
    assert response.status_code == 400
    assert "其他地区" in response.text
    assert "南门路1号" not in response.text and far_household.head.name not in response.text


# ---- reveal ----------------------------------------------------------------------------


def test_reveal_rejects_get(client, personas, household):
    member = household.members.first()
    url = reverse("households:member_reveal", args=[member.uuid])
    assert _login(client, personas.admin).get(url).status_code == 405


def test_reveal_with_permission_shows_number_and_logs(client, personas, household):
    from households import idnumber

    member = household.members.first()
    response = _login(client, personas.admin).post(
        reverse("households:member_reveal", args=[member.uuid]), {"reason": "核对低保申请材料"}
    )
    assert response.status_code == 200
    assert idnumber.decrypt(member.id_number_cipher) in response.text
    assert AccessLog.objects.filter(action="reveal_id", object_id=member.pk).count() == 1


def test_reveal_without_permission_is_403(client, personas, household):
    member = household.members.first()
    url = reverse("households:member_reveal", args=[member.uuid])
    assert _login(client, personas.caseworker).post(url, {"reason": "核对"}).status_code == 403
    assert not AccessLog.objects.filter(action="reveal_id").exists()


# ---- enrolments ------------------------------------------------------------------------


def test_apply_and_approve_dibao(client, personas, household):
    client = _login(client, personas.caseworker)
    response = client.post(
        reverse("households:enrolment_apply", args=[household.uuid]),
        {
            "category": "dibao",
            "start_date": "2026-11-01",
            "monthly_amount": "1200",
        },
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(household=household)
    assert enrolment.status == Enrolment.Status.APPLIED
    assert enrolment.members.count() == 2

    url = reverse("households:enrolment_decide", args=[enrolment.uuid])
    assert client.post(url, {"decision": "approve"}).status_code == 403
    _login(client, personas.admin).post(url, {"decision": "approve", "reason": "符合条件"})
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.APPROVED
    assert enrolment.decided_by == personas.admin


def test_reject_requires_a_reason(client, personas, household):
    enrolment = factories.enrolment(household=household, approve=False)
    url = reverse("households:enrolment_decide", args=[enrolment.uuid])
    _login(client, personas.admin).post(url, {"decision": "reject", "reason": ""})
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.APPLIED


def test_apply_linshi_without_end_date_is_refused(client, personas, household):
    response = _login(client, personas.caseworker).post(
        reverse("households:enrolment_apply", args=[household.uuid]),
        {"category": "linshi", "start_date": "2026-11-01", "monthly_amount": "500"},
    )
    assert response.status_code == 400
    assert "临时救助必须填写终止日期" in response.text


def test_pending_list_is_scoped(client, personas, household, far_household):
    factories.enrolment(household=household, approve=False)
    factories.enrolment(household=far_household, approve=False)
    response = _login(client, personas.supervisor).get(reverse("households:enrolments_pending"))
    assert "狮林寺巷8号" in response.text
    assert "南门路1号" not in response.text


def test_decide_out_of_scope_is_404(client, personas, far_household, areas):
    enrolment = factories.enrolment(household=far_household, approve=False)
    street_admin = factories.user("admin2", role="district_admin", area=areas.street)
    response = _login(client, street_admin).post(
        reverse("households:enrolment_decide", args=[enrolment.uuid]), {"decision": "approve"}
    )
    assert response.status_code == 404


def test_list_keeps_a_dashboard_drill_down_filter(client, personas, areas):
    """The caseload table links /households/?area=…&enrolled=dibao: the page lists the
    households that number counts (not every household of the area), names the filter, and
    keeps it in the search form so a search stays inside it."""
    enrolled = factories.household(area=areas.grid, address="狮林寺巷1号")
    factories.enrolment(household=enrolled, category="dibao")
    factories.household(area=areas.grid, address="狮林寺巷2号")

    response = _login(client, personas.admin).get(
        reverse("households:list"), {"area": areas.community.code, "enrolled": "dibao"}
    )

    assert [h.pk for h in response.context["page"].items] == [enrolled.pk]
    body = response.content.decode()
    assert 'name="enrolled" value="dibao"' in body
    assert "享受救助 · 低保" in body  # the drill-down note, as merged with the roles walk


def test_pages_name_their_icon(client, personas):
    """A page without <link rel="icon"> makes the browser ask for /favicon.ico: a 404 and a
    console error on the first page of every visit."""
    html = _login(client, personas.caseworker).get(reverse("households:list")).content.decode()
    assert '<link rel="icon" href="/static/icons/icon-192.png"' in html
