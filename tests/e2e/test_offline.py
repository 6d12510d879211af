"""Field work on a phone without a signal: drafts, the outbox, one visit per tap, an expired
session and a conflict, through the real service worker and IndexedDB in Chromium."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases import services
from cases.models import Visit
from households.models import Household, Member
from households.services import member_update
from tests import factories
from tests.e2e.helpers import expect_fits_screen, log_in, snap

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HEAD = "陈秀英"


@pytest.fixture
def home(areas: SimpleNamespace, personas: SimpleNamespace) -> Household:
    household = factories.household(
        area=areas.grid, address="狮林寺巷31号", head={"name": HEAD}, worker=personas.caseworker
    )
    factories.member(
        household=household, actor=personas.caseworker, name="王小明", relation="child"
    )
    services.followups_schedule()
    return household


def _until(check: Callable[[], bool], page: Page, seconds: float = 20) -> None:
    """Wait for something the page does in the background (no timing is asserted)."""
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "gave up waiting"
        page.wait_for_timeout(200)


def _form(page: Page, household: Household) -> None:
    """Open the visit form with the service worker in charge, as a worker's phone has it."""
    page.goto("/cases/worklist/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto("/cases/worklist/")  # now through the worker, which keeps it on the device
    _until(lambda: page.evaluate("navigator.serviceWorker.controller !== null"), page)
    page.goto(f"/cases/households/{household.uuid}/visits/new/")
    expect(page.locator("#visit-form[data-ready='1']")).to_have_count(1)


def _visits(household: Household) -> int:
    return Visit.objects.filter(household=household).count()


def test_an_offline_draft_is_kept_across_a_reload(phone: Page, home: Household) -> None:
    log_in(phone, "caseworker", "pw-caseworker")
    _form(phone, home)
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("#offline-banner")).to_contain_text("离线 · 上次同步")
    expect(phone.locator("#visit-form[data-ready='1']")).to_have_count(1)
    phone.get_by_label("入户").check()
    phone.get_by_label("发现的需求").fill("没有信号时写下的需求")
    phone.get_by_label("基本生活情况").fill("米面够吃一周")
    phone.wait_for_timeout(600)  # the draft is written a moment after typing stops
    phone.reload()
    expect(phone.locator("#visit-form[data-ready='1']")).to_have_count(1)
    expect(phone.get_by_label("发现的需求")).to_have_value("没有信号时写下的需求")
    expect(phone.get_by_label("入户")).to_be_checked()
    expect(phone.locator("#draft-status")).to_contain_text("已恢复本机保存的草稿")
    expect_fits_screen(phone)
    snap(phone, "offline-01-draft-restored")


def test_a_visit_saved_offline_is_sent_on_reconnect_and_stored_once(
    phone: Page, home: Household
) -> None:
    log_in(phone, "caseworker", "pw-caseworker")
    _form(phone, home)
    phone.context.set_offline(True)
    phone.get_by_label("入户").check()
    phone.get_by_label("发现的需求").fill("需要助餐服务")
    phone.get_by_role("button", name="保存走访记录").click()
    expect(phone.locator("#draft-status")).to_contain_text("待上传")
    phone.goto("/cases/worklist/")  # kept on the device when the form was first opened
    expect(phone.locator("#outbox-list")).to_contain_text("待上传")
    snap(phone, "offline-02-outbox")
    assert _visits(home) == 0
    waiting = phone.evaluate("ZhulianStore.outbox()")
    assert len(waiting) == 1

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    _until(lambda: _visits(home) == 1, phone)
    _until(lambda: phone.evaluate("document.body.dataset.outbox") == "0", phone)

    # The same visit sent once more (a replay of the outbox) is found, not stored again.
    assert str(Visit.objects.get(household=home).client_id) == waiting[0]["client_id"]
    sent = phone.evaluate(
        "item => ZhulianStore.queue(item).then(() => "
        "ZhulianStore.flush(document.body.dataset.stateUrl))",
        waiting[0],
    )
    assert sent["sent"] == 1
    assert _visits(home) == 1
    assert Visit.objects.get(household=home).needs_noted == "需要助餐服务"


def test_a_double_tap_stores_once(phone: Page, home: Household) -> None:
    log_in(phone, "caseworker", "pw-caseworker")
    _form(phone, home)
    phone.get_by_label("入户").check()
    # A slow line: the answer takes long enough for a second tap.
    phone.route(
        "**/visits/new/",
        lambda route: (
            (phone.wait_for_timeout(800), route.continue_())
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    phone.get_by_role("button", name="保存走访记录").dblclick()
    expect(phone.get_by_role("heading", name=f"{HEAD}家")).to_be_visible()
    assert _visits(home) == 1


def test_an_expired_session_keeps_the_draft(phone: Page, home: Household) -> None:
    log_in(phone, "caseworker", "pw-caseworker")
    _form(phone, home)
    phone.get_by_label("入户").check()
    phone.get_by_label("发现的需求").fill("老人需要助餐")
    phone.wait_for_timeout(600)
    Session.objects.all().delete()  # 30 idle minutes later
    phone.get_by_role("button", name="保存走访记录").click()
    expect(phone.get_by_role("alert")).to_contain_text(
        "登录已过期，请重新登录；未提交的走访记录已保存在本机"
    )
    snap(phone, "offline-03-session-expired")
    log_in(phone, "caseworker", "pw-caseworker")
    expect(phone.locator("#visit-form[data-ready='1']")).to_have_count(1)
    expect(phone.get_by_label("发现的需求")).to_have_value("老人需要助餐")
    expect(phone.locator("#draft-status")).to_contain_text("已恢复本机保存的草稿")
    phone.get_by_role("button", name="保存走访记录").click()
    expect(phone.get_by_role("heading", name=f"{HEAD}家")).to_be_visible()
    assert Visit.objects.get(household=home).needs_noted == "老人需要助餐"


def test_a_conflict_is_shown_and_settled(
    phone: Page, home: Household, personas: SimpleNamespace
) -> None:
    log_in(phone, "caseworker", "pw-caseworker")
    _form(phone, home)
    phone.context.set_offline(True)
    phone.get_by_label("入户").check()
    child = phone.locator("details.member-change").filter(has_text="王小明")
    child.locator("summary").click()
    child.get_by_label("疾病名称").fill("哮喘")
    phone.get_by_role("button", name="保存走访记录").click()
    expect(phone.locator("#draft-status")).to_contain_text("待上传")
    # Meanwhile, at the office, someone records another illness for the same member.
    member = Member.objects.get(name="王小明")
    member_update(actor=personas.caseworker, member=member, data={"illness": "糖尿病"})

    phone.context.set_offline(False)
    phone.goto("/cases/worklist/")
    link = phone.locator("#offline-banner .conflict-link")
    expect(link).to_have_text("家庭信息有冲突，请确认")
    assert _visits(home) == 1  # the visit itself is kept
    link.click()
    expect(phone.get_by_role("heading", name="确认家庭信息冲突")).to_be_visible()
    expect(phone.locator("fieldset.conflict")).to_contain_text("哮喘")
    expect(phone.locator("fieldset.conflict")).to_contain_text("糖尿病")
    expect_fits_screen(phone)
    snap(phone, "offline-04-conflict")
    member.refresh_from_db()
    assert member.illness == "糖尿病"  # nothing overwritten before the worker chose
    phone.get_by_label("我的记录：哮喘").check()
    phone.get_by_role("button", name="确认并保存").click()
    expect(phone.get_by_role("status").first).to_contain_text("冲突已处理")
    member.refresh_from_db()
    assert member.illness == "哮喘"
    assert Visit.objects.get(household=home).conflicts == []
    assert timezone.now()
