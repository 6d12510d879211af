"""The needs, suggestions, referrals and campaigns API: scope, roles, shapes, query counts."""

from pathlib import Path

import pytest
from django.urls import reverse

from accounts.services import api_token_issue
from matching import services
from matching.api import ProviderReferralOutputSerializer
from matching.models import Need, Referral
from tests import factories
from tests.factories import need as make_need

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"api-matching:{name}", args=args)


@pytest.fixture
def need(household, pool):
    return make_need(household=household)


@pytest.fixture
def referral(personas, need, pool):
    return services.referral_propose(actor=personas.caseworker, need=need, resource=pool.cleaning)


def test_api_modules_read_no_model_managers():
    root = Path(__file__).parents[2]
    for module in ("matching/api.py", "resources/api.py"):
        assert ".objects" not in (root / module).read_text()


def test_views_modules_read_no_model_managers():
    root = Path(__file__).parents[2]
    for path in [root / "resources/views.py", *sorted((root / "matching/views").glob("*.py"))]:
        assert ".objects" not in path.read_text(), path


def test_schema_lists_the_operations(api, personas):
    schema = api(personas.caseworker).get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    operations = {
        op["operationId"] for path in schema.json()["paths"].values() for op in path.values()
    }
    assert {
        "need_list",
        "need_suggestions",
        "referral_create",
        "referral_accept",
        "referral_confirm",
        "campaign_create",
        "match_run",
        "provider_list",
        "resource_create",
    } <= operations


# ---- needs -----------------------------------------------------------------------------


def test_need_create_and_read(api, personas, household):
    client = api(personas.caseworker)
    response = client.post(
        url("need-list"),
        {
            "household": str(household.uuid),
            "type": "care",
            "subtype": "companionship",
            "urgency": 3,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "open" and body["household"]["address"] == "狮林寺巷8号"
    detail = client.get(url("need-detail", body["uuid"]))
    assert detail.status_code == 200 and detail.json()["urgency"] == 3


def test_need_create_validation_error(api, personas, household):
    response = api(personas.caseworker).post(
        url("need-list"),
        {"household": str(household.uuid), "type": "care", "subtype": "schooling"},
        format="json",
    )
    assert response.status_code == 400
    assert "subtype" in response.json()


def test_need_create_for_an_invisible_household_is_400(api, personas, far_household):
    response = api(personas.caseworker).post(
        url("need-list"),
        {"household": str(far_household.uuid), "type": "care", "subtype": "other"},
        format="json",
    )
    assert response.status_code == 400
    assert "household" in response.json()


def test_need_create_by_auditor_is_403(api, personas, household):
    response = api(personas.viewer).post(
        url("need-list"),
        {"household": str(household.uuid), "type": "care", "subtype": "other"},
        format="json",
    )
    assert response.status_code == 403


def test_need_list_is_scoped(api, personas, need, far_household):
    make_need(household=far_household)
    mine = api(personas.caseworker).get(url("need-list")).json()["results"]
    assert [n["uuid"] for n in mine] == [str(need.uuid)]
    assert len(api(personas.admin).get(url("need-list")).json()["results"]) == 2
    assert api(personas.no_area).get(url("need-list")).json()["results"] == []
    assert api(personas.provider).get(url("need-list")).json()["results"] == []


def test_need_list_filters_by_status(api, personas, need, household):
    make_need(household=household, subtype="companionship")
    services.need_close(actor=None, need=need, reason="x")
    results = api(personas.caseworker).get(url("need-list"), {"status": "open"}).json()["results"]
    assert [n["subtype"] for n in results] == ["companionship"]


def test_need_list_has_fixed_queries(api, personas, areas, pool, django_assert_num_queries):
    client = api(personas.caseworker)
    for _ in range(2):
        make_need(household=factories.household(area=areas.grid))
    client.get(url("need-list"))  # warm up anything cached per process
    with django_assert_num_queries(1):
        first = client.get(url("need-list"))
    for _ in range(10):
        make_need(household=factories.household(area=areas.grid))
    with django_assert_num_queries(1):
        second = client.get(url("need-list"))
    assert len(first.json()["results"]) == 2 and len(second.json()["results"]) == 12


def test_need_detail_out_of_scope_is_404(api, personas, need):
    assert api(personas.outsider).get(url("need-detail", need.uuid)).status_code == 404
    assert api(personas.provider).get(url("need-detail", need.uuid)).status_code == 404


def test_suggestions_come_ranked_with_reasons(api, personas, need):
    response = api(personas.caseworker).get(url("need-suggestions", need.uuid))
    assert response.status_code == 200
    [first] = response.json()
    assert first["name"] == "居家保洁" and first["remaining"] == 5
    codes = {reason["code"] for reason in first["reasons"]}
    assert {"subtype", "open", "level12", "capacity", "load", "urgency", "fairness"} <= codes
    assert first["score"] == sum(reason["points"] for reason in first["reasons"])
    assert any(reason["text"] == "本社区资源" for reason in first["reasons"])


def test_suggestions_out_of_scope_is_404(api, personas, need):
    assert api(personas.outsider).get(url("need-suggestions", need.uuid)).status_code == 404


def test_need_close_by_auditor_is_403_and_by_outsider_404(api, personas, need):
    assert (
        api(personas.viewer)
        .post(url("need-close", need.uuid), {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        api(personas.outsider)
        .post(url("need-close", need.uuid), {"reason": "x"}, format="json")
        .status_code
        == 404
    )
    response = api(personas.caseworker).post(
        url("need-close", need.uuid), {"reason": "搬走"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_verify_and_discard_self_requests(api, personas, areas, household):
    asked = services.help_request_submit(
        phone="13912345678", area=areas.community, type="survival", subtype="living"
    )
    listed = api(personas.caseworker).get(url("need-list"), {"status": "unverified"}).json()
    assert listed["results"][0]["requester_phone"] == "139****5678"
    response = api(personas.caseworker).post(
        url("need-verify", asked.uuid), {"household": str(household.uuid)}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "open"
    other = services.help_request_submit(
        phone="13912345678", area=areas.community, type="survival", subtype="living"
    )
    assert (
        api(personas.caseworker)
        .post(url("need-discard", other.uuid), {}, format="json")
        .status_code
        == 400
    )
    done = api(personas.caseworker).post(
        url("need-discard", other.uuid), {"reason": "重复"}, format="json"
    )
    assert done.json()["status"] == "closed"


def test_match_run_endpoint(api, personas, areas, need):
    response = api(personas.caseworker).post(
        url("need-match"), {"area": areas.community.code}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["referrals_made"] == 1
    assert (
        api(personas.viewer)
        .post(url("need-match"), {"area": areas.community.code}, format="json")
        .status_code
        == 403
    )
    assert (
        api(personas.caseworker)
        .post(url("need-match"), {"area": areas.far.code}, format="json")
        .status_code
        == 400
    )


# ---- referrals -------------------------------------------------------------------------


def test_referral_create_then_the_lifecycle_over_the_api(api, personas, need, pool):
    worker, provider = api(personas.caseworker), api(personas.provider)
    created = worker.post(
        url("referral-list"),
        {"need": str(need.uuid), "resource": str(pool.cleaning.uuid), "note": "上午"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    uuid = created.json()["uuid"]
    assert created.json()["status"] == "proposed"
    assert provider.post(url("referral-accept", uuid)).json()["status"] == "accepted"
    delivered = provider.post(
        url("referral-deliver", uuid), {"quantity": 1, "note": "好"}, format="json"
    )
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    assert set(delivered.json()) == set(ProviderReferralOutputSerializer().fields)
    confirmed = worker.post(
        url("referral-confirm", uuid), {"outcome": "met", "satisfaction": 4}, format="json"
    )
    assert confirmed.json()["status"] == "confirmed"
    assert worker.post(url("referral-close", uuid)).json()["status"] == "closed"


def test_referral_create_when_capacity_is_used_up_is_400(api, personas, household, pool):
    for _ in range(5):
        services.referral_propose(
            actor=None, need=make_need(household=household), resource=pool.cleaning
        )
    response = api(personas.caseworker).post(
        url("referral-list"),
        {"need": str(make_need(household=household).uuid), "resource": str(pool.cleaning.uuid)},
        format="json",
    )
    assert response.status_code == 400
    assert "名额或库存不足" in str(response.json())


def test_referral_create_for_an_invisible_need_is_404(api, personas, far_household, pool):
    far_need = make_need(household=far_household)
    response = api(personas.caseworker).post(
        url("referral-list"),
        {"need": str(far_need.uuid), "resource": str(pool.cleaning.uuid)},
        format="json",
    )
    assert response.status_code == 404


def test_referral_create_by_auditor_is_403(api, personas, need, pool):
    response = api(personas.viewer).post(
        url("referral-list"),
        {"need": str(need.uuid), "resource": str(pool.cleaning.uuid)},
        format="json",
    )
    assert response.status_code == 403


def test_provider_token_sees_only_its_referrals_with_least_data(
    client, personas, referral, household, pool
):
    from households.services import household_update

    household_update(actor=None, household=household, data={"phone": "13812345678"})
    services.referral_propose(
        actor=None,
        need=make_need(household=household, type="survival", subtype="goods"),
        resource=pool.quilts,
    )
    _token, key = api_token_issue(actor=personas.provider)
    response = client.get(url("referral-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["uuid"] == str(referral.uuid)
    assert row["name"] == "王建国" and row["phone_masked"] == "138****5678"
    assert row["address"] == "狮林寺巷8号"
    for withheld in ("household", "need_uuid", "reasons", "id_number_masked", "member"):
        assert withheld not in row
    assert "13812345678" not in response.text


def test_provider_token_cannot_act_on_or_see_other_referrals(
    api, personas, household, pool, referral
):
    quilts = services.referral_propose(
        actor=None,
        need=make_need(household=household, type="survival", subtype="goods"),
        resource=pool.quilts,
    )
    provider = api(personas.provider)
    assert provider.get(url("referral-detail", quilts.uuid)).status_code == 404
    assert provider.post(url("referral-accept", quilts.uuid)).status_code == 404
    assert (
        provider.post(
            url("referral-confirm", referral.uuid), {"outcome": "met"}, format="json"
        ).status_code
        == 403
    )
    assert (
        provider.post(
            url("referral-cancel", referral.uuid), {"reason": "x"}, format="json"
        ).status_code
        == 403
    )


def test_referral_steps_validate_and_check_state(api, personas, referral):
    provider = api(personas.provider)
    assert (
        provider.post(url("referral-decline", referral.uuid), {}, format="json").status_code == 400
    )
    response = provider.post(url("referral-deliver", referral.uuid), {}, format="json")
    assert response.status_code == 400  # not accepted yet


def test_referral_steps_by_auditor_are_403_and_outsider_404(api, personas, referral):
    assert api(personas.viewer).post(url("referral-accept", referral.uuid)).status_code == 403
    assert api(personas.outsider).post(url("referral-accept", referral.uuid)).status_code == 404


def test_referral_list_is_scoped_and_has_fixed_queries(
    api, personas, areas, pool, django_assert_num_queries
):
    for _ in range(2):
        services.referral_propose(
            actor=None,
            need=make_need(household=factories.household(area=areas.grid)),
            resource=pool.cleaning,
        )
    worker = api(personas.caseworker)
    worker.get(url("referral-list"))
    with django_assert_num_queries(1):
        few = worker.get(url("referral-list"))
    for _ in range(3):
        services.referral_propose(
            actor=None,
            need=make_need(household=factories.household(area=areas.grid)),
            resource=pool.cleaning,
        )
    with django_assert_num_queries(1):
        more = worker.get(url("referral-list"))
    assert len(few.json()["results"]) == 2 and len(more.json()["results"]) == 5
    assert api(personas.outsider).get(url("referral-list")).json()["results"] == []
    provider = api(personas.provider)
    provider.get(url("referral-list"))
    with django_assert_num_queries(2):  # the provider's account, then the page
        assert len(provider.get(url("referral-list")).json()["results"]) == 5


# ---- campaigns -------------------------------------------------------------------------


def test_campaign_create_reports_the_shortfall(api, personas, areas, pool):
    for _ in range(4):
        home = factories.household(area=areas.grid)
        factories.enrolment(household=home, category="dibao")
    response = api(personas.supervisor).post(
        url("campaign-list"),
        {
            "name": "寒冬送温暖",
            "resource": str(pool.quilts.uuid),
            "area": areas.street.code,
            "groups": [{"category": "dibao"}],
            "per_household": 3,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["households_targeted"], body["households_served"], body["units_short"]) == (
        4,
        3,
        3,
    )
    assert Referral.objects.filter(campaign__uuid=body["uuid"]).count() == 3
    assert api(personas.supervisor).get(url("campaign-detail", body["uuid"])).status_code == 200
    assert api(personas.outsider).get(url("campaign-detail", body["uuid"])).status_code == 404


def test_campaign_create_by_auditor_is_403(api, personas, areas, pool):
    response = api(personas.viewer).post(
        url("campaign-list"),
        {
            "name": "x",
            "resource": str(pool.quilts.uuid),
            "area": areas.community.code,
            "groups": [{"category": "dibao"}],
        },
        format="json",
    )
    assert response.status_code == 403
    assert not Need.objects.exists()
