"""The 物质+服务 loop on a phone: a need recorded in a home, referred to a suggested resource,
accepted and delivered by the provider in its portal, confirmed by the worker."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from households.services import household_update
from matching.models import Need, Referral
from tests.e2e.helpers import StaticLog, expect_fits_screen, expect_styled, log_in, snap
from tests.factories.resources import pool  # noqa: F401 - the shared pool fixture

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _check(page: Page, static_log: StaticLog, name: str) -> None:
    expect_styled(page, static_log)
    expect_fits_screen(page)
    snap(page, name)


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="登录助联")).to_be_visible()


def test_need_to_referral_to_delivery_to_confirmation_on_a_phone(
    phone: Page,
    personas: SimpleNamespace,
    household: object,
    pool: SimpleNamespace,  # noqa: F811
    static_log: StaticLog,
) -> None:
    household_update(actor=None, household=household, data={"phone": "13912345678"})

    log_in(phone, "caseworker", "pw-caseworker")
    _record_a_need(phone, household, static_log)
    _refer_to_the_first_suggestion(phone, static_log)
    _log_out(phone)

    log_in(phone, "provider", "pw-provider")
    _accept_and_deliver_in_the_portal(phone, static_log)
    _log_out(phone)

    log_in(phone, "caseworker", "pw-caseworker")
    _confirm_on_the_household_page(phone, household, static_log)

    referral = Referral.objects.get()
    assert referral.status == Referral.Status.CONFIRMED
    assert (referral.decided_by, referral.delivered_by, referral.confirmed_by) == (
        personas.provider,
        personas.provider,
        personas.caseworker,
    )
    assert Need.objects.get().status == Need.Status.MET


def _record_a_need(page: Page, household: object, static_log: StaticLog) -> None:
    page.goto(f"/households/{household.uuid}/")
    expect(page.get_by_role("heading", name="需求与转介")).to_be_visible()
    page.get_by_role("button", name="记录需求").click()
    expect(page.get_by_role("heading", name="记录需求")).to_be_visible()
    _check(page, static_log, "referral-01-need-form")
    page.get_by_label("需求类型").select_option(label="关爱型")
    page.get_by_label("需求细类").select_option(label="生活照料")
    page.get_by_label("紧急程度").select_option(label="紧急")
    page.get_by_label("需求描述").fill("独居老人，行动不便，需要上门打扫")
    page.get_by_role("button", name="保存需求").click()
    expect(page.get_by_role("heading", name="关爱型·生活照料")).to_be_visible()


def _refer_to_the_first_suggestion(page: Page, static_log: StaticLog) -> None:
    suggestion = page.locator("article.suggestion").first
    expect(suggestion).to_contain_text("居家保洁")
    expect(suggestion).to_contain_text("对口“生活照料”需求")
    expect(suggestion).to_contain_text("本社区资源")
    expect(suggestion).to_contain_text("紧急需求，优先安排")
    _check(page, static_log, "referral-02-suggestions")
    suggestion.get_by_role("button", name="转介").click()
    expect(page.get_by_text("已转介给“居家保洁”")).to_be_visible()
    expect(page.locator("mark.tag", has_text="待接收")).to_be_visible()


def _accept_and_deliver_in_the_portal(page: Page, static_log: StaticLog) -> None:
    page.get_by_role("link", name="转介任务").click()
    card = page.locator("article.referral-card").first
    expect(card).to_contain_text("居家保洁")
    expect(card).to_contain_text("王建国")
    expect(card).to_contain_text("139****5678")
    expect(card).to_contain_text("狮林寺巷8号")
    expect(card).not_to_contain_text("13912345678")
    expect(card).to_contain_text("独居老人，行动不便")  # the provider reads what the need is
    _check(page, static_log, "referral-03-portal")
    card.get_by_role("button", name="接收").click()
    expect(page.get_by_text("已接收，请按约定提供服务或物资。")).to_be_visible()

    page.get_by_role("link", name="服务中").click()
    card = page.locator("article.referral-card").first
    card.get_by_label("交付说明").fill("已上门打扫两小时")
    _check(page, static_log, "referral-04-deliver")
    card.get_by_role("button", name="确认交付").click()
    expect(page.get_by_text("交付已登记，社工将在回访时确认。")).to_be_visible()


def _confirm_on_the_household_page(page: Page, household: object, static_log: StaticLog) -> None:
    page.goto(f"/households/{household.uuid}/")
    waiting = page.locator("article.awaiting")
    expect(waiting).to_contain_text("待回访确认")
    expect(waiting).to_contain_text("居家保洁")
    waiting.get_by_role("link", name="回访确认").click()
    expect(page.get_by_role("heading", name="待回访确认")).to_be_visible()
    page.get_by_label("已解决").check()
    page.get_by_label("满意度").select_option(label="5 ★")
    page.get_by_label("回访说明").fill("老人很满意")
    _check(page, static_log, "referral-05-confirm")
    page.get_by_role("button", name="确认", exact=True).click()
    expect(page.get_by_text("回访确认已保存，闭环完成。")).to_be_visible()
    expect(page.locator("mark.tag", has_text="已确认")).to_be_visible()
