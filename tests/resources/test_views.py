import pytest
from django.urls import reverse

from resources.models import Provider, Resource

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def test_pool_page_has_the_five_lists_as_tabs(client, personas, pool):
    response = _as(client, personas.caseworker).get(reverse("resources:pool"))
    assert response.status_code == 200
    for label in (
        "政策清单",
        "社会组织服务清单",
        "驻地单位帮扶清单",
        "爱心人士帮扶清单",
        "生活服务“百事通”清单",
    ):
        assert label in response.text
    assert "居家保洁" in response.text and "南门助餐" not in response.text
    policy = client.get(reverse("resources:pool"), {"list": "policy"})
    assert "医疗救助" in policy.text and "居家保洁" not in policy.text


def test_pool_page_shows_capacity_and_stock_left(client, personas, pool):
    response = _as(client, personas.caseworker).get(reverse("resources:pool"))
    assert "每月剩余 5/5 次" in response.text
    assert "库存 10 床" in response.text


def test_pool_page_refuses_providers_and_is_empty_without_area(client, personas, pool):
    assert _as(client, personas.provider).get(reverse("resources:pool")).status_code == 403
    empty = _as(client, personas.no_area).get(reverse("resources:pool"))
    assert empty.status_code == 200 and "居家保洁" not in empty.text


def test_pool_page_has_fixed_queries(client, personas, pool, areas, django_assert_max_num_queries):
    from tests.factories import resource as make_resource

    _as(client, personas.caseworker)
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("resources:pool"))
    for i in range(8):
        make_resource(provider=pool.care_org, area=areas.grid, name=f"陪伴{i}")
    with django_assert_max_num_queries(15) as many:
        client.get(reverse("resources:pool"))
    assert len(few.captured_queries) == len(many.captured_queries)


def test_resource_page_and_its_out_of_scope_404(client, personas, pool):
    page = _as(client, personas.caseworker).get(
        reverse("resources:detail", args=[pool.quilts.uuid])
    )
    assert page.status_code == 200 and "出入库记录" in page.text and "入库" in page.text
    assert client.get(reverse("resources:detail", args=[pool.meals.uuid])).status_code == 404


def test_admin_adds_a_resource_through_the_form(client, personas, pool, areas):
    url = reverse("resources:create")
    assert _as(client, personas.admin).get(url).status_code == 200
    response = client.post(
        url,
        {
            "provider": pool.care_org.pk,
            "kind": "service",
            "pool_list": "",
            "name": "助浴服务",
            "need_types": ["care"],
            "need_subtypes": ["daily_care"],
            "area": areas.community.pk,
            "capacity": "8",
            "period": "month",
            "active": "on",
        },
    )
    resource = Resource.objects.get(name="助浴服务")
    assert response["Location"] == reverse("resources:detail", args=[resource.uuid])
    assert resource.capacity == 8 and resource.pool_list == "social_org"


def test_resource_form_shows_the_services_errors(client, personas, pool, areas):
    response = _as(client, personas.admin).post(
        reverse("resources:create"),
        {
            "provider": pool.care_org.pk,
            "kind": "service",
            "name": "无名额",
            "need_types": ["care"],
            "area": areas.community.pk,
            "period": "month",
        },
    )
    assert response.status_code == 400 and "每期名额" in response.text


@pytest.mark.parametrize("who", ["caseworker", "viewer"])
def test_resource_create_refuses_non_keepers(client, personas, who):
    assert _as(client, getattr(personas, who)).get(reverse("resources:create")).status_code == 403


def test_resource_edit_and_stock_receive(client, personas, pool, areas):
    url = reverse("resources:edit", args=[pool.quilts.uuid])
    assert _as(client, personas.supervisor).get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "冬被",
            "need_types": ["survival"],
            "need_subtypes": ["goods"],
            "area": areas.street.pk,
            "period": "month",
            "unit": "床",
            "active": "on",
            "version": pool.quilts.version,
        },
    )
    assert response.status_code == 302
    receive = reverse("resources:stock_receive", args=[pool.quilts.uuid])
    assert client.get(receive).status_code == 405
    client.post(receive, {"quantity": "5", "supplier": "慈善总会"})
    pool.quilts.refresh_from_db()
    assert (pool.quilts.name, pool.quilts.stock) == ("冬被", 15)
    assert _as(client, personas.viewer).post(receive, {"quantity": "5"}).status_code == 403
    assert _as(client, personas.outsider).post(receive, {"quantity": "5"}).status_code == 404


def test_provider_pages(client, personas, pool, areas):
    _as(client, personas.supervisor)
    listing = client.get(reverse("resources:providers"))
    assert "乐龄社工服务社" in listing.text and "南门志愿队" not in listing.text
    detail = client.get(reverse("resources:provider_detail", args=[pool.care_org.uuid]))
    assert "居家保洁" in detail.text
    created = client.post(
        reverse("resources:provider_create"),
        {"kind": "volunteer", "name": "狮林志愿队", "area": areas.community.pk, "active": "on"},
    )
    provider = Provider.objects.get(name="狮林志愿队")
    assert created["Location"] == reverse("resources:provider_detail", args=[provider.uuid])
    edit = reverse("resources:provider_edit", args=[pool.bureau.uuid])
    assert client.get(edit).status_code == 403  # the district's bureau is not the street's
    hidden = reverse("resources:provider_detail", args=[pool.far_team.uuid])
    assert client.get(hidden).status_code == 404
