"""Keeping workers on a phone: street staff add a worker, who signs in with the temporary
password and must change it; then they move and deactivate a worker. The district admin adds
a grid at desk width."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import Browser, Page, expect

from households.models import Area, User
from tests.e2e.helpers import expect_fits_screen, go_to, log_in, snap

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _form(page: Page):
    return page.locator("form.narrow-form")


def test_street_staff_add_move_and_deactivate_a_worker_on_a_phone(
    phone: Page, personas: SimpleNamespace, areas: SimpleNamespace
) -> None:
    log_in(phone, "supervisor", "pw-supervisor")
    go_to(phone, "社工管理")
    expect(phone.get_by_role("heading", name="社工管理")).to_be_visible()
    expect_fits_screen(phone)
    snap(phone, "manage-01-workers")

    phone.get_by_role("button", name="添加社工").click()
    form = _form(phone)
    form.get_by_label("用户名").fill("chenxin")
    form.get_by_label("姓名").fill("陈新")
    form.get_by_label("所属区划").select_option(label="社区/村 · 菉葭社区")
    form.get_by_role("button", name="保存").click()
    expect(phone.get_by_role("heading", name="账号已创建")).to_be_visible()
    expect_fits_screen(phone)
    snap(phone, "manage-02-created")
    password = phone.locator("code.revealed").inner_text().strip()

    # The new worker signs in with it and is held on the password page until it is changed.
    phone.get_by_role("button", name="退出").click()
    # Logging out first wipes the phone's offline data, then posts: wait for the login page.
    expect(phone.get_by_role("heading", name="登录助联")).to_be_visible()
    log_in(phone, "chenxin", password)
    expect(phone.get_by_role("heading", name="修改密码")).to_be_visible()
    phone.locator("input[name=old_password]").fill(password)
    phone.locator("input[name=new_password1]").fill("Lujia-2026-worker")
    phone.locator("input[name=new_password2]").fill("Lujia-2026-worker")
    phone.get_by_role("button", name="修改密码").click()
    expect(phone.get_by_text("密码已修改。")).to_be_visible()
    assert not User.objects.get(username="chenxin").must_change_password

    # Back as street staff: move the community's worker, then deactivate them.
    phone.get_by_role("button", name="退出").click()
    # Logging out first wipes the phone's offline data, then posts: wait for the login page.
    expect(phone.get_by_role("heading", name="登录助联")).to_be_visible()
    log_in(phone, "supervisor", "pw-supervisor")
    phone.goto("/manage/users/")
    card = phone.locator("#user-caseworker")
    card.get_by_role("button", name="编辑/调动").click()
    _form(phone).get_by_label("所属区划").select_option(label="社区/村 · 菉葭社区")
    _form(phone).get_by_role("button", name="保存").click()
    expect(phone.get_by_text("已保存")).to_be_visible()
    assert User.objects.get(username="caseworker").area == areas.neighbour

    card = phone.locator("#user-caseworker")
    card.locator("summary").click()
    card.get_by_role("button", name="确定停用").click()
    expect(phone.get_by_text("已停用，其 API 令牌已撤销")).to_be_visible()
    expect_fits_screen(phone)
    snap(phone, "manage-03-deactivated")
    assert not User.objects.get(username="caseworker").is_active


def test_the_district_admin_adds_a_grid_at_desk_width(
    browser: Browser, live_server, personas: SimpleNamespace, areas: SimpleNamespace
) -> None:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 900}, locale="zh-CN"
    )
    page = context.new_page()
    try:
        log_in(page, "admin", "pw-admin")
        go_to(page, "区划管理")
        expect(page.get_by_role("heading", name="区划管理")).to_be_visible()
        page.locator(f"#area-{areas.community.code}").get_by_role("link", name="添加网格").click()
        form = _form(page)
        expect(form.get_by_label("区划代码")).to_have_value(areas.community.code)
        form.get_by_label("区划代码").fill(areas.community.code + "000")
        form.get_by_label("名称").fill("狮林二网格")
        form.get_by_role("button", name="保存").click()
        expect(page.get_by_text("最后 3 位为本级编号")).to_be_visible()
        form = _form(page)
        form.get_by_label("区划代码").fill(areas.community.code + "002")
        form.get_by_role("button", name="保存").click()
        expect(page.get_by_text("已添加网格")).to_be_visible()
        snap(page, "manage-04-areas")
        assert Area.objects.get(code=areas.community.code + "002").parent == areas.community
    finally:
        context.close()
