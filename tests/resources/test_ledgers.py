"""The five lists of the pool as ledgers (resources/ledgers.py): rows, scope, masking, pages."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from households.models import User
from ledgers import exports
from resources import services
from resources.models import Provider, ProviderEvent, Resource, ResourceEvent
from tests.factories import provider, resource
from tests.ledgers.conftest import replica_is_default  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.django_db

LISTS = ["pool-policy", "pool-social-org", "pool-unit", "pool-caring", "pool-life"]
TITLES = ["社会救助政策清单", "社会组织服务清单", "驻地单位帮扶清单", "爱心人士帮扶清单"]


def _export(actor, ledger: str, fmt: str = "csv", **kwargs) -> exports.ExportFile:
    req = exports.export_request_build(actor=actor, ledger_name=ledger, fmt=fmt, **kwargs)
    return exports.export_now(actor=actor, req=req)


def _rows(actor, ledger: str, **kwargs) -> list[dict[str, str]]:
    file = _export(actor, ledger, **kwargs)
    return list(csv.DictReader(io.StringIO(file.content.decode("utf-8-sig"))))


def _names(actor, ledger: str, **kwargs) -> list[str]:
    return [row["名称"] for row in _rows(actor, ledger, **kwargs)]


@pytest.fixture
def lists(pool, areas):
    """The pool of tests/factories/resources.py, plus a unit's help and an everyday service."""
    unit = provider(area=areas.community, kind=Provider.Kind.UNIT, name="苏州供电公司狮林支部")
    resource(
        provider=unit,
        area=areas.community,
        name="用电安全检查",
        pool_list=Resource.PoolList.UNIT,
        capacity=8,
        period=Resource.Period.YEAR,
    )
    resource(
        provider=pool.care_org,
        area=areas.community,
        name="家电维修上门",
        pool_list=Resource.PoolList.LIFE,
        capacity=12,
        available_until=timezone.localdate() - dt.timedelta(days=1),
    )
    return pool


def test_each_list_is_a_ledger_of_its_own_rows(lists, personas):
    assert _names(personas.admin, "pool-policy") == ["医疗救助"]
    assert _names(personas.admin, "pool-social-org") == ["居家保洁"]
    assert _names(personas.admin, "pool-unit") == ["用电安全检查"]
    assert sorted(_names(personas.admin, "pool-caring")) == ["南门助餐", "棉被"]
    assert _names(personas.admin, "pool-life") == ["家电维修上门"]


@pytest.mark.parametrize("ledger", LISTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_list_exports_in_both_formats_under_its_community_name(lists, personas, ledger, fmt):
    file = _export(personas.supervisor, ledger, fmt)
    title = str(exports.get_ledger(ledger).title)
    assert file.filename.startswith(title) and file.filename.endswith(f".{fmt}")
    if fmt == "xlsx":
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(file.content)).get_sheet_by_index(0)
        assert sheet.to_python()[1][:4] == ["名称", "类型", "提供方", "提供方所在社区"]


def test_the_columns_a_community_prints(lists, personas):
    (policy,) = _rows(personas.admin, "pool-policy")
    assert policy["提供方"] == "区医疗保障局"
    assert policy["提供方所在社区"] == "姑苏区"
    assert policy["主管部门"] == "区医疗保障局"
    assert policy["服务对象"] == "低保、特困"
    assert policy["满足需求"] == "生存型"
    assert policy["服务范围"] == "姑苏区"
    assert policy["名额/库存"] == "" and policy["周期"] == ""
    assert policy["有效期"] == "长期" and policy["状态"] == "在用"
    (cleaning,) = _rows(personas.admin, "pool-social-org")
    assert cleaning["联系电话"] == "051265001234"  # an office's landline, as residents call it
    assert cleaning["服务对象"] == "所有困难群众"
    assert (cleaning["名额/库存"], cleaning["单位"], cleaning["周期"]) == ("5", "次", "每月")
    quilts = {row["名称"]: row for row in _rows(personas.admin, "pool-caring")}["棉被"]
    assert (quilts["名额/库存"], quilts["单位"], quilts["类型"]) == ("10", "床", "物资")
    (repairs,) = _rows(personas.admin, "pool-life")
    assert repairs["状态"] == "已过期" and repairs["有效期"].startswith("至 ")


def test_a_persons_phone_is_masked_unless_full_numbers_are_exported(lists, personas, areas):
    person = provider(
        area=areas.community,
        kind=Provider.Kind.VOLUNTEER,
        name="张阿姨",
        contact_phone="0512-6500 1234",
    )
    mobile = provider(
        area=areas.community,
        kind=Provider.Kind.COMPANY,
        name="爱心超市",
        contact_phone="13812345678",
    )
    resource(provider=person, area=areas.community, name="陪伴聊天")
    resource(provider=mobile, area=areas.community, name="爱心理发")
    phones = {row["名称"]: row["联系电话"] for row in _rows(personas.admin, "pool-caring")}
    assert phones["陪伴聊天"] == "051*****1234"
    assert phones["爱心理发"] == "138****5678"
    permission = Permission.objects.get(codename="export_full_id_number")
    personas.admin.user_permissions.add(permission)
    admin = User.objects.get(pk=personas.admin.pk)
    full = {
        row["名称"]: row["联系电话"] for row in _rows(admin, "pool-caring", full_id_numbers=True)
    }
    assert full["陪伴聊天"] == "0512-6500 1234"
    assert full["爱心理发"] == "13812345678"


def test_a_street_gets_its_streets_and_the_districts_resources(lists, personas):
    assert _names(personas.supervisor, "pool-caring") == ["棉被"]
    assert _names(personas.supervisor, "pool-policy") == ["医疗救助"]
    assert _names(personas.outsider, "pool-caring") == ["南门助餐"]
    assert _names(personas.outsider, "pool-policy") == ["医疗救助"]
    assert _names(personas.outsider, "pool-social-org") == []


def test_an_areas_list_holds_what_serves_it_from_the_district_down(lists, personas, areas):
    names = _names(personas.admin, "pool-caring", filters={"area": areas.community.code})
    assert names == ["棉被"]  # the street's shop serves the community; the far team does not
    assert _names(personas.admin, "pool-policy", filters={"area": areas.far.code}) == ["医疗救助"]
    assert _names(personas.admin, "pool-caring", filters={"area": areas.far.code}) == ["南门助餐"]


def test_an_area_out_of_scope_is_not_found(client, lists, personas, areas):
    with pytest.raises(Http404):
        _export(personas.supervisor, "pool-caring", filters={"area": areas.far.code})
    client.force_login(personas.supervisor)
    response = client.post(
        reverse("ledgers:export", args=["pool-caring"]),
        {"pool-caring-format": "csv", "area": areas.far.code},
    )
    assert response.status_code == 404
    rows = client.get(reverse("ledgers:rows", args=["pool-caring"]), {"area": areas.far.code})
    assert rows.status_code == 404
    mine = client.get(reverse("ledgers:rows", args=["pool-caring"]), {"area": areas.street.code})
    assert mine.status_code == 200 and "棉被" in mine.content.decode()


def test_providers_do_not_export_the_lists(lists, personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _export(personas.provider, "pool-social-org")


def _close_the_month() -> dt.date:
    """Move every pool history event so far to three days ago; return yesterday."""
    earlier = timezone.now() - dt.timedelta(days=3)
    for model in (ResourceEvent, ProviderEvent):
        model.objects.update(pgh_created_at=earlier)
    return timezone.localdate() - dt.timedelta(days=1)


def test_a_list_as_of_a_day_is_the_list_of_that_day(lists, personas, areas):
    as_of = _close_the_month()
    before = _rows(personas.supervisor, "pool-caring", as_of=as_of)
    assert [row["名称"] for row in before] == ["棉被"]
    assert before == _rows(personas.supervisor, "pool-caring")
    services.stock_receive(actor=None, resource=lists.quilts, quantity=5)
    services.provider_update(
        actor=None,
        provider=lists.shop,
        data={"name": "平江爱心商店", "contact_phone": "13900001111"},
    )
    resource(provider=lists.shop, area=areas.street, name="新到米面", pool_list="caring")
    after = _rows(personas.supervisor, "pool-caring", as_of=as_of)
    assert after == before
    assert (after[0]["名额/库存"], after[0]["提供方"]) == ("10", "平江爱心超市")
    now = {row["名称"]: row for row in _rows(personas.supervisor, "pool-caring")}
    assert now["棉被"]["名额/库存"] == "15" and now["棉被"]["提供方"] == "平江爱心商店"
    assert now["棉被"]["联系电话"] == "139****1111" and "新到米面" in now
    assert _names(personas.outsider, "pool-caring", as_of=as_of) == ["南门助餐"]
    filtered = _names(
        personas.admin, "pool-caring", as_of=as_of, filters={"area": areas.community.code}
    )
    assert filtered == ["棉被"]


def test_a_stopped_resource_or_provider_reads_as_stopped(lists, personas):
    services.provider_update(actor=None, provider=lists.shop, data={"active": False})
    quilts = {row["名称"]: row for row in _rows(personas.admin, "pool-caring")}["棉被"]
    assert quilts["状态"] == "停用"
    assert _names(personas.admin, "pool-caring", filters={"active": "true"}) == ["棉被", "南门助餐"]


def test_the_ledger_page_offers_the_five_lists(client, lists, personas):
    client.force_login(personas.supervisor)
    page = client.get(reverse("ledgers:index")).content.decode()
    for name, title in zip(LISTS, [*TITLES, "居民生活“百事通”清单"], strict=True):
        assert f'id="ledger-{name}"' in page
        assert title in page
        assert reverse("ledgers:export", args=[name]) in page


def test_the_pool_page_links_each_list_to_its_ledger(client, lists, personas):
    client.force_login(personas.supervisor)
    page = client.get(reverse("resources:pool"), {"list": "caring"}).content.decode()
    assert reverse("ledgers:rows", args=["pool-caring"]) in page
    assert "/ledgers/pool-" not in client.get(reverse("resources:pool")).content.decode()
