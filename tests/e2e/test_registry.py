"""The registry on a phone: register a household, add a member, apply for 低保, approve it."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tests import factories
from tests.e2e.helpers import StaticLog, expect_fits_screen, expect_styled, go_to, log_in, snap

pytestmark = [
    pytest.mark.e2e,
    # The live server answers from its own thread and connection, so test data must be
    # committed; serialized_rollback reloads the rows data migrations made (categories, …).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HEAD = "李桂兰"
SPOUSE = "赵德福"
ADDRESS = "狮林寺巷12号2单元301室"
GRID = "狮林社区 · 狮林一网格"


def test_caseworker_registers_and_admin_approves_dibao_on_a_phone(
    phone: Page, personas: SimpleNamespace, areas: SimpleNamespace, static_log: StaticLog
) -> None:
    # Another household in the same grid, which the name search must leave out.
    factories.household(
        area=areas.grid, actor=personas.caseworker, address="菉葭巷3号", head={"name": "王建国"}
    )
    start = timezone.localdate().replace(day=1)

    phone.goto("/")
    expect(phone.get_by_role("heading", name="登录助联")).to_be_visible()
    expect_styled(phone, static_log)
    _check_page(phone, "registry-00-login")
    log_in(phone, "caseworker", "pw-caseworker")
    _register_household(phone)
    _add_spouse_correcting_a_bad_id_number(phone)
    _apply_for_dibao(phone, start)
    _find_household_by_name_fragment(phone)

    phone.get_by_role("button", name="退出").click()
    expect(phone.get_by_role("heading", name="登录助联")).to_be_visible()
    log_in(phone, "admin", "pw-admin")
    _approve_dibao(phone)
    _see_dibao_approved(phone, start)


def _register_household(page: Page) -> None:
    page.get_by_role("button", name="登记新家庭").click()
    expect(page.get_by_role("heading", name="登记新家庭")).to_be_visible()
    _check_page(page, "registry-02-household-form")

    page.get_by_label("所在社区/网格").select_option(label=GRID)
    page.get_by_label("家庭住址").fill(ADDRESS)
    head = page.get_by_role("group", name="户主")
    head.get_by_label("姓名").fill(HEAD)
    head.get_by_label("公民身份号码").fill(factories.id_number(birth=dt.date(1958, 3, 9), sex="F"))
    head.get_by_label("联系电话").fill("13912345678")
    head.get_by_label("健康状况").select_option(label="慢性病")
    head.get_by_label("劳动能力").select_option(label="部分丧失劳动能力")
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("status")).to_have_text("家庭档案已登记。")
    expect(page.get_by_role("heading", name=f"{HEAD}家")).to_be_visible()
    expect(page.get_by_text(ADDRESS)).to_be_visible()
    expect(_member_row(page, HEAD)).to_contain_text("户主")


def _add_spouse_correcting_a_bad_id_number(page: Page) -> None:
    good = factories.id_number(birth=dt.date(1956, 11, 2), sex="M")
    bad = good[:-1] + next(c for c in "0123456789X" if c != good[-1])

    page.get_by_role("button", name="添加成员").click()
    expect(page.get_by_role("heading", name="添加成员")).to_be_visible()
    page.get_by_label("姓名").fill(SPOUSE)
    page.get_by_label("公民身份号码").fill(bad)
    page.get_by_label("与户主关系").select_option(label="配偶")
    page.get_by_role("button", name="保存").click()

    id_field = page.get_by_label("公民身份号码")
    expect(page.get_by_role("alert")).to_contain_text("校验位错误")
    expect(id_field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("姓名")).to_have_value(SPOUSE)
    _check_page(page, "registry-03-member-form-error")

    id_field.fill(good)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_have_text("家庭成员已添加。")
    spouse = _member_row(page, SPOUSE)
    expect(spouse).to_contain_text("配偶")
    expect(spouse).to_contain_text(good[:4] + "*" * 10 + good[-4:])
    _check_page(page, "registry-04-household-detail")


def _apply_for_dibao(page: Page, start: dt.date) -> None:
    page.get_by_role("button", name="申请救助").click()
    expect(page.get_by_role("heading", name="申请救助")).to_be_visible()
    page.get_by_label("救助类别").select_option(label="低保")
    page.get_by_label("起始日期").fill(start.isoformat())
    page.get_by_label("月救助金额").fill("860")
    _check_page(page, "registry-05-enrolment-form")
    page.get_by_role("button", name="提交申请").click()

    expect(page.get_by_role("status")).to_have_text("救助申请已提交，等待区民政局审批。")
    expect(_enrolment(page)).to_contain_text("低保 · 待审批")


def _find_household_by_name_fragment(page: Page) -> None:
    go_to(page, "家庭档案")
    expect(page.get_by_text("共 2 户")).to_be_visible()
    search_box = page.get_by_role("searchbox")
    search_button = page.get_by_role("button", name="搜索")
    _expect_side_by_side(search_box, search_button)
    search_box.fill(SPOUSE[1:])
    search_button.click()

    expect(page.get_by_text("共 1 户")).to_be_visible()
    expect(page.get_by_role("link", name="王建国")).to_have_count(0)
    _check_page(page, "registry-01-household-list")
    page.get_by_role("link", name=HEAD).click()
    expect(page.get_by_role("heading", name=f"{HEAD}家")).to_be_visible()


def _approve_dibao(page: Page) -> None:
    go_to(page, "救助审批")
    expect(page.get_by_role("heading", name="待审批的救助申请")).to_be_visible()
    application = page.get_by_role("article").filter(has_text=ADDRESS)
    expect(application).to_contain_text("低保")
    expect(application).to_contain_text("860.00 元/月")
    expect(application).to_contain_text(SPOUSE)
    _check_page(page, "registry-06-pending")

    application.get_by_text("单独审批").click()
    application.get_by_label("审批意见").fill("材料齐全，同意。")
    application.get_by_role("button", name="批准", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"已批准：{HEAD}户（{ADDRESS}）的低保申请。")
    expect(page.get_by_text("没有待审批的申请。")).to_be_visible()


def _see_dibao_approved(page: Page, start: dt.date) -> None:
    go_to(page, "家庭档案")
    row = page.get_by_role("row").filter(has_text=HEAD)
    expect(row).to_contain_text("低保")
    row.get_by_role("link", name=HEAD).click()

    enrolment = _enrolment(page)
    expect(enrolment).to_contain_text("低保 · 已批准")
    expect(enrolment).to_contain_text(f"{start:%Y-%m-%d} — 长期")
    expect(enrolment).to_contain_text("材料齐全，同意。")
    _check_page(page, "registry-07-household-approved")


def _expect_side_by_side(field: Locator, button: Locator) -> None:
    """The button sits on the field's row, at the field's height (a one-line search bar)."""
    field_box, button_box = field.bounding_box(), button.bounding_box()
    assert field_box and button_box
    assert abs(field_box["y"] - button_box["y"]) < 2, (field_box, button_box)
    assert abs(field_box["height"] - button_box["height"]) < 2, (field_box, button_box)


def _member_row(page: Page, name: str) -> Locator:
    """A member's card on the household page."""
    return page.locator("li.member-card").filter(
        has=page.locator(".member-head strong", has_text=name)
    )


def _enrolment(page: Page) -> Locator:
    # The household's facts also name 低保 (its income against the 低保 standard).
    return page.locator("article.enrolment").filter(has_text="低保")


def _check_page(page: Page, name: str) -> None:
    expect_fits_screen(page)
    snap(page, name)
