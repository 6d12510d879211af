"""On a phone: a street office adds a resource, picking its provider by typing, and exports a
list of the pool (resources/forms.py ProviderPickerField, resources/ledgers.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from resources.models import Provider, Resource
from tests.e2e.helpers import StaticLog, expect_fits_screen, expect_styled, log_in, snap
from tests.factories import provider
from tests.factories.resources import pool  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.e2e,
    # A ledger reads through the "replica" alias (a mirror of the primary).
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", "replica"]
    ),
]


def test_pick_a_provider_by_typing_and_export_a_list(
    phone: Page,
    personas: SimpleNamespace,
    areas: SimpleNamespace,
    pool: SimpleNamespace,  # noqa: F811
    static_log: StaticLog,
) -> None:
    provider(area=areas.community, name="爱心服务队", kind=Provider.Kind.VOLUNTEER)
    next_door = provider(area=areas.neighbour, name="爱心服务队", kind=Provider.Kind.VOLUNTEER)
    log_in(phone, "supervisor", "pw-supervisor")

    phone.goto("/resources/create/")
    expect_styled(phone, static_log)
    expect_fits_screen(phone)
    box = phone.get_by_label("救助力量")
    assert box.get_attribute("list") == "id_provider_options"
    options = phone.locator("#id_provider_options option")
    values = [options.nth(i).get_attribute("value") for i in range(options.count())]
    assert "爱心服务队 · 菉葭社区" in values and "爱心服务队 · 狮林社区" in values
    box.fill("爱心服务队 · 菉葭社区")
    phone.get_by_label("资源类型").select_option(label="服务")
    phone.locator("#id_name").fill("助浴服务")
    phone.get_by_label("关爱型").check()
    phone.get_by_label("服务范围").select_option(label="菉葭社区")
    phone.get_by_label("每期名额（服务类）").fill("6")
    snap(phone, "pool-resource-form-phone")
    phone.get_by_role("button", name="保存").click()
    expect(phone.get_by_text("资源已加入资源库。")).to_be_visible()
    assert Resource.objects.get(name="助浴服务").provider_id == next_door.pk

    phone.goto("/resources/?list=caring")
    phone.get_by_role("link", name="查看并导出此清单").click()
    expect(phone.get_by_role("heading", name="爱心人士帮扶清单")).to_be_visible()
    expect(phone.get_by_role("cell", name="棉被")).to_be_visible()
    expect_fits_screen(phone)
    snap(phone, "pool-caring-list-phone")
    with phone.expect_download() as download:
        phone.get_by_role("button", name="导出", exact=True).click()
    assert download.value.suggested_filename.startswith("爱心人士帮扶清单")
