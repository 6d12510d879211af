import pytest
from django.urls import reverse

from resources.models import Resource
from tests.factories import provider as make_provider

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"api-resources:{name}", args=args)


def _names(response):
    return sorted(row["name"] for row in response.json()["results"])


# ---- reading the pool ------------------------------------------------------------------


def test_pool_is_what_serves_the_actors_area(api, personas, pool):
    # The caseworker's community is served by the district's policy, the street's shop and
    # the community's own service; the other street's meals are not theirs.
    response = api(personas.caseworker).get(url("resource-list"))
    assert response.status_code == 200
    assert _names(response) == ["医疗救助", "居家保洁", "棉被"]
    assert _names(api(personas.admin).get(url("resource-list"))) == [
        "医疗救助",
        "南门助餐",
        "居家保洁",
        "棉被",
    ]
    assert _names(api(personas.outsider).get(url("resource-list"))) == ["医疗救助", "南门助餐"]
    assert api(personas.no_area).get(url("resource-list")).json()["results"] == []


def test_provider_token_sees_its_own_resources_only(api, personas, pool):
    assert _names(api(personas.provider).get(url("resource-list"))) == ["居家保洁"]
    providers = api(personas.provider).get(url("provider-list")).json()["results"]
    assert [p["name"] for p in providers] == ["乐龄社工服务社"]


def test_resource_list_filters_by_list_and_kind(api, personas, pool):
    client = api(personas.caseworker)
    assert _names(client.get(url("resource-list"), {"pool_list": "policy"})) == ["医疗救助"]
    assert _names(client.get(url("resource-list"), {"kind": "goods"})) == ["棉被"]
    assert _names(client.get(url("resource-list"), {"need_type": "care"})) == ["居家保洁"]
    assert client.get(url("resource-list"), {"kind": "nope"}).status_code == 400


def test_resource_shows_what_is_left(api, personas, pool):
    body = api(personas.caseworker).get(url("resource-detail", pool.cleaning.uuid)).json()
    assert (body["capacity"], body["remaining"], body["period"]) == (5, 5, "month")
    goods = api(personas.caseworker).get(url("resource-detail", pool.quilts.uuid)).json()
    assert goods["remaining"] == 10


def test_resource_out_of_scope_is_404(api, personas, pool):
    assert api(personas.caseworker).get(url("resource-detail", pool.meals.uuid)).status_code == 404
    assert api(personas.provider).get(url("resource-detail", pool.quilts.uuid)).status_code == 404


def test_resource_list_has_fixed_queries(api, personas, pool, areas, django_assert_num_queries):
    client = api(personas.caseworker)
    client.get(url("resource-list"))
    with django_assert_num_queries(1):
        client.get(url("resource-list"))
    for i in range(5):
        make_provider(area=areas.grid, name=f"志愿者{i}")
    provider = make_provider(area=areas.grid, name="网格志愿队")
    from tests.factories import resource as make_resource

    for i in range(6):
        make_resource(provider=provider, area=areas.grid, name=f"陪伴{i}")
    with django_assert_num_queries(1):
        assert len(client.get(url("resource-list")).json()["results"]) == 9


def test_provider_list_has_fixed_queries(api, personas, pool, areas, django_assert_num_queries):
    client = api(personas.caseworker)
    with django_assert_num_queries(1):
        first = client.get(url("provider-list"))
    for i in range(5):
        make_provider(area=areas.grid, name=f"志愿者{i}")
    with django_assert_num_queries(1):
        second = client.get(url("provider-list"))
    assert len(first.json()["results"]) == 3 and len(second.json()["results"]) == 8


# ---- keeping the pool ------------------------------------------------------------------


def test_admin_creates_and_updates_a_provider(api, personas, areas):
    client = api(personas.admin)
    created = client.post(
        url("provider-list"),
        {"kind": "party_member", "name": "党员张三", "area": areas.community.code},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    updated = client.patch(
        url("provider-detail", body["uuid"]),
        {"contact_phone": "13900000000", "version": body["version"]},
        format="json",
    )
    assert updated.status_code == 200 and updated.json()["version"] == 2
    stale = client.patch(
        url("provider-detail", body["uuid"]), {"name": "x", "version": 1}, format="json"
    )
    assert stale.status_code == 409


def test_provider_create_validation_and_roles(api, personas, areas):
    body = {"kind": "unit", "name": "x", "area": areas.community.code}
    assert (
        api(personas.admin)
        .post(url("provider-list"), {**body, "kind": "nope"}, format="json")
        .status_code
        == 400
    )
    assert api(personas.viewer).post(url("provider-list"), body, format="json").status_code == 403
    assert (
        api(personas.caseworker).post(url("provider-list"), body, format="json").status_code == 403
    )
    assert api(personas.provider).post(url("provider-list"), body, format="json").status_code == 403


def test_provider_update_out_of_keep_is_403_and_out_of_sight_404(api, personas, pool):
    # The street office sees the district's bureau but does not keep it.
    response = api(personas.supervisor).patch(
        url("provider-detail", pool.bureau.uuid), {"name": "x", "version": 1}, format="json"
    )
    assert response.status_code == 403
    hidden = api(personas.supervisor).patch(
        url("provider-detail", pool.far_team.uuid), {"name": "x", "version": 1}, format="json"
    )
    assert hidden.status_code == 404


def test_street_staff_add_a_service_with_capacity(api, personas, pool, areas):
    response = api(personas.supervisor).post(
        url("resource-list"),
        {
            "provider": str(pool.care_org.uuid),
            "kind": "service",
            "name": "上门理发",
            "area": areas.community.code,
            "need_types": ["care"],
            "need_subtypes": ["daily_care"],
            "capacity": 20,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["pool_list"] == "social_org" and body["remaining"] == 20


def test_resource_create_validation_and_roles(api, personas, pool, areas):
    body = {
        "provider": str(pool.care_org.uuid),
        "kind": "service",
        "name": "x",
        "area": areas.community.code,
        "need_types": ["care"],
    }
    missing_capacity = api(personas.admin).post(url("resource-list"), body, format="json")
    assert missing_capacity.status_code == 400
    assert (
        api(personas.viewer)
        .post(url("resource-list"), {**body, "capacity": 1}, format="json")
        .status_code
        == 403
    )
    outside = api(personas.supervisor).post(
        url("resource-list"), {**body, "capacity": 1, "area": areas.far.code}, format="json"
    )
    assert outside.status_code == 400


def test_resource_update_and_stock_receive(api, personas, pool):
    client = api(personas.supervisor)
    updated = client.patch(
        url("resource-detail", pool.quilts.uuid),
        {"name": "冬被", "version": pool.quilts.version},
        format="json",
    )
    assert updated.status_code == 200 and updated.json()["name"] == "冬被"
    received = client.post(
        url("resource-stock-receive", pool.quilts.uuid),
        {"quantity": 5, "supplier": "红十字会"},
        format="json",
    )
    assert received.status_code == 200 and received.json()["stock"] == 15
    assert (
        client.post(
            url("resource-stock-receive", pool.quilts.uuid), {"quantity": 0}, format="json"
        ).status_code
        == 400
    )
    assert (
        api(personas.viewer)
        .post(url("resource-stock-receive", pool.quilts.uuid), {"quantity": 1}, format="json")
        .status_code
        == 403
    )
    assert (
        api(personas.outsider)
        .post(url("resource-stock-receive", pool.quilts.uuid), {"quantity": 1}, format="json")
        .status_code
        == 404
    )
    assert Resource.objects.get(pk=pool.quilts.pk).stock == 15
