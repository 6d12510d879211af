"""Field steps on a phone: the worker ties a confirmation to the visit it was made at, and the
provider reads what the need is (and may call while delivering)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from households.services import household_update
from matching import services
from matching.models import Referral
from tests.e2e.helpers import StaticLog, expect_fits_screen, expect_styled, log_in, snap
from tests.factories import days_ago
from tests.factories import need as make_need
from tests.factories import visit as log_visit
from tests.factories.resources import pool  # noqa: F401 - the shared pool fixture

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _referral(personas: SimpleNamespace, household: object, pool: SimpleNamespace) -> Referral:  # noqa: F811
    need = make_need(household=household, description="独居老人，需要每周上门打扫一次")
    return services.referral_propose(actor=personas.caseworker, need=need, resource=pool.cleaning)


def test_a_confirmation_is_linked_to_a_visit(
    phone: Page,
    personas: SimpleNamespace,
    household: object,
    pool: SimpleNamespace,  # noqa: F811
    static_log: StaticLog,
) -> None:
    referral = _referral(personas, household, pool)
    services.referral_accept(actor=personas.provider, referral=referral)
    services.referral_deliver(actor=personas.provider, referral=referral, delivered_on=days_ago(2))
    visit = log_visit(household=household, actor=personas.caseworker)

    log_in(phone, "caseworker", "pw-caseworker")
    phone.goto(f"/matching/referrals/{referral.uuid}/")
    expect(phone.get_by_role("heading", name="待回访确认")).to_be_visible()
    phone.get_by_label("已解决").check()
    options = phone.get_by_label("回访记录").locator("option")
    expect(options).to_have_count(2)  # none, and the visit
    phone.get_by_label("回访记录").select_option(str(visit.pk))
    phone.get_by_label("回访说明").fill("上门回访时确认")
    expect_styled(phone, static_log)
    expect_fits_screen(phone)
    snap(phone, "field-01-confirm-with-visit")
    phone.get_by_role("button", name="确认", exact=True).click()
    expect(phone.get_by_text("回访确认已保存，闭环完成。")).to_be_visible()

    referral.refresh_from_db()
    assert referral.status == Referral.Status.CONFIRMED
    assert referral.confirmation_visit_id == visit.pk


def test_the_provider_sees_the_needs_text_and_may_call_while_delivering(
    phone: Page,
    personas: SimpleNamespace,
    household: object,
    pool: SimpleNamespace,  # noqa: F811
    static_log: StaticLog,
) -> None:
    household_update(actor=None, household=household, data={"phone": "13912345678"})
    referral = _referral(personas, household, pool)

    log_in(phone, "provider", "pw-provider")
    phone.get_by_role("link", name="转介任务").click()
    card = phone.locator("article.referral-card").first
    expect(card).to_contain_text("独居老人，需要每周上门打扫一次")
    expect(card).to_contain_text("139****5678")
    expect(card.get_by_role("button", name="查看电话并拨打")).to_have_count(0)
    card.get_by_role("button", name="接收").click()

    phone.get_by_role("link", name="服务中").click()
    card = phone.locator("article.referral-card").first
    expect(card).to_contain_text("独居老人，需要每周上门打扫一次")
    expect_styled(phone, static_log)
    expect_fits_screen(phone)
    snap(phone, "field-02-portal-need-text")
    card.get_by_role("button", name="查看电话并拨打").click()
    call = phone.get_by_role("button", name="拨打 13912345678")
    expect(call).to_have_attribute("href", "tel:13912345678")
    box = call.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    expect_fits_screen(phone)
    snap(phone, "field-03-portal-phone")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
