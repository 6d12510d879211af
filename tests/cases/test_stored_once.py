"""A visit is stored once however often it is sent (double tap, retry, the device's outbox),
and household changes typed offline never overwrite a later edit unseen."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Visit
from households.models import Member
from households.services import member_update
from tests.cases.test_api import _visit_body, url
from tests.cases.test_views import _visit_post

pytestmark = pytest.mark.django_db

NEED = {"kind": "care:companionship", "description": "独居老人需要陪伴", "urgency": 2}


def _log(personas, household, client_id, **extra):
    return services.visit_log(
        actor=personas.caseworker,
        household=household,
        method="home",
        visited_at=timezone.now(),
        needs=[NEED],
        client_id=client_id,
        **extra,
    )


def test_service_stores_a_repeated_visit_and_its_needs_once(household, personas):
    from matching.models import Need

    client_id = uuid.uuid4()
    first = _log(personas, household, client_id)
    again = _log(personas, household, client_id)
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert Visit.objects.count() == 1 and Need.objects.count() == 1
    assert Need.objects.get().client_id == uuid.uuid5(client_id, "need:0")


def test_service_without_a_client_id_stores_each_call(household, personas):
    _log(personas, household, None)
    _log(personas, household, None)
    assert Visit.objects.count() == 2


def test_the_same_client_id_for_another_household_is_refused(household, personas, areas):
    from django.core.exceptions import ValidationError

    from tests import factories

    other = factories.household(area=areas.grid, actor=personas.caseworker, address="另一户")
    client_id = uuid.uuid4()
    _log(personas, household, client_id)
    with pytest.raises(ValidationError):
        _log(personas, other, client_id)
    assert Visit.objects.count() == 1


def _form_data(household):
    data = _visit_post(household)
    data.update(
        {
            "client_id": str(uuid.uuid4()),
            "n-TOTAL_FORMS": "1",
            "n-0-kind": NEED["kind"],
            "n-0-description": NEED["description"],
            "n-0-urgency": "2",
        }
    )
    return data


def test_page_double_submit_stores_once_and_redirects_to_the_same_place(
    client, personas, household
):
    from matching.models import Need

    client.force_login(personas.caseworker)
    data = _form_data(household)
    target = reverse("cases:visit_log", args=[household.uuid])
    first, second = client.post(target, data), client.post(target, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Visit.objects.count() == 1 and Need.objects.count() == 1


def test_page_form_carries_a_server_made_client_id_for_browsers_without_script(
    client, personas, household
):
    client.force_login(personas.caseworker)
    page = client.get(reverse("cases:visit_log", args=[household.uuid]))
    assert 'name="client_id"' in page.text


def test_page_answers_json_to_the_script_201_then_200(client, personas, household):
    client.force_login(personas.caseworker)
    data = _form_data(household)
    target = reverse("cases:visit_log", args=[household.uuid])
    first = client.post(target, data, headers={"accept": "application/json"})
    second = client.post(target, data, headers={"accept": "application/json"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["visit"] == second.json()["visit"]
    assert first.json()["url"] == reverse("households:detail", args=[household.uuid])
    assert Visit.objects.count() == 1


def test_api_replay_answers_200_with_the_stored_visit(api, personas, household):
    from matching.models import Need

    body = _visit_body(
        household,
        client_id=str(uuid.uuid4()),
        needs=[{"type": "care", "subtype": "companionship", "description": "陪伴"}],
    )
    first = api(personas.caseworker).post(url("visit-list"), body, format="json")
    second = api(personas.caseworker).post(url("visit-list"), body, format="json")
    assert (first.status_code, second.status_code) == (201, 200), second.json()
    assert first.json()["uuid"] == second.json()["uuid"]
    assert first.json()["client_id"] == body["client_id"]
    assert Visit.objects.count() == 1 and Need.objects.count() == 1


def test_api_replay_out_of_scope_is_404_and_stores_nothing(api, personas, far_household):
    body = _visit_body(far_household, client_id=str(uuid.uuid4()))
    assert api(personas.caseworker).post(url("visit-list"), body, format="json").status_code == 404
    assert not Visit.objects.exists()


# ---- an expired session ----------------------------------------------------------------


def test_a_visit_sent_after_the_session_ended_goes_to_login_with_a_message(client, household):
    target = reverse("cases:visit_log", args=[household.uuid])
    response = client.post(target, _form_data(household))
    assert response.status_code == 302
    login = response["Location"]
    assert login.startswith(reverse("login")) and "expired=1" in login
    assert f"next={target}" in login.replace("%2F", "/")
    page = client.get(login)
    assert "登录已过期，请重新登录；未提交的走访记录已保存在本机" in page.text
    assert not Visit.objects.exists()


def test_the_script_is_told_401_with_the_login_address(client, household):
    target = reverse("cases:visit_log", args=[household.uuid])
    response = client.post(target, _form_data(household), headers={"accept": "application/json"})
    assert response.status_code == 401
    assert "expired=1" in response.json()["login"]


# ---- household changes typed offline: conflicts ------------------------------------------


def _offline_form(client, personas, household):
    """The form as the device kept it: filled from the registry as it was then."""
    client.force_login(personas.caseworker)
    page = client.get(reverse("cases:visit_log", args=[household.uuid]))
    assert page.status_code == 200
    return _form_data(household), page


def _with_bases(data, household):
    members = list(household.members.filter(status="active").order_by("created_at"))
    for i, m in enumerate(members):
        values = {
            "status": m.status,
            "health": m.health,
            "illness": m.illness,
            "has_caregiver": m.has_caregiver,
            "lives_alone": m.lives_alone,
            "employment": m.employment,
            "monthly_income": str(m.monthly_income),
        }
        data[f"m-{i}-version"] = str(m.version)
        data[f"m-{i}-base"] = json.dumps(values)
    return data


def test_a_field_changed_meanwhile_is_a_conflict_and_the_visit_is_kept(client, personas, household):
    data = _with_bases(_form_data(household), household)
    child = household.members.get(name="王小明")
    index = 1
    # Offline, the worker records an illness and an income; meanwhile someone else records
    # a different illness (the same field) and a new employment (another field).
    data[f"m-{index}-illness"] = "哮喘"
    data[f"m-{index}-monthly_income"] = "900.00"
    member_update(
        actor=personas.caseworker,
        member=child,
        data={"illness": "糖尿病", "employment": "employed"},
    )
    client.force_login(personas.caseworker)
    response = client.post(reverse("cases:visit_log", args=[household.uuid]), data)
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:visit_conflicts", args=[visit.uuid])
    child.refresh_from_db()
    # Not overwritten: the other edit stands; the field only this visit changed is written.
    assert (child.illness, child.employment, str(child.monthly_income)) == (
        "糖尿病",
        "employed",
        "900.00",
    )
    assert [(c["field"], c["mine"], c["theirs"]) for c in visit.conflicts] == [
        ("illness", "哮喘", "糖尿病")
    ]
    page = client.get(response["Location"])
    assert "哮喘" in page.text and "糖尿病" in page.text
    settled = client.post(response["Location"], {"c0": "mine"})
    assert settled.status_code == 302
    child.refresh_from_db()
    visit.refresh_from_db()
    assert child.illness == "哮喘" and visit.conflicts == []


def test_keeping_their_value_leaves_the_member_as_it_is(client, personas, household):
    data = _with_bases(_form_data(household), household)
    child = household.members.get(name="王小明")
    data["m-1-illness"] = "哮喘"
    member_update(actor=personas.caseworker, member=child, data={"illness": "糖尿病"})
    client.force_login(personas.caseworker)
    client.post(reverse("cases:visit_log", args=[household.uuid]), data)
    visit = Visit.objects.get()
    target = reverse("cases:visit_conflicts", args=[visit.uuid])
    assert client.post(target, {}).status_code == 400  # a choice for each field is required
    assert client.post(target, {"c0": "theirs"}).status_code == 302
    child.refresh_from_db()
    visit.refresh_from_db()
    assert child.illness == "糖尿病" and visit.conflicts == []


def test_without_a_later_edit_the_offline_changes_apply(client, personas, household):
    data = _with_bases(_form_data(household), household)
    data["m-1-illness"] = "哮喘"
    client.force_login(personas.caseworker)
    response = client.post(reverse("cases:visit_log", args=[household.uuid]), data)
    assert response["Location"] == reverse("households:detail", args=[household.uuid])
    assert Member.objects.get(name="王小明").illness == "哮喘"
    assert Visit.objects.get().conflicts == []


def test_conflicts_page_out_of_scope_is_404(client, personas, household):
    visit = _log(personas, household, None)
    client.force_login(personas.outsider)
    assert client.get(reverse("cases:visit_conflicts", args=[visit.uuid])).status_code == 404
