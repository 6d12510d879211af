"""A social worker's day on a phone: open the worklist, log a visit to an overdue household,
and see its next follow-up on the right date."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases import services
from households.models import Household
from tests import factories
from tests.e2e.helpers import StaticLog, expect_fits_screen, expect_styled, log_in, snap
from tests.factories import add_months, local, open_followup

pytestmark = [
    pytest.mark.e2e,
    # The live server answers from its own thread and connection, so test data must be
    # committed; serialized_rollback reloads the rows data migrations made (tier rules).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ADDRESS = "狮林寺巷21号"
HEAD = "陈秀英"


@pytest.fixture
def overdue_household(areas: SimpleNamespace, personas: SimpleNamespace) -> Household:
    """The caseworker's household, last visited seven months ago: tier C, a month overdue."""
    home = factories.household(
        area=areas.grid, address=ADDRESS, head={"name": HEAD}, worker=personas.caseworker
    )
    factories.household(area=areas.grid, address="狮林寺巷22号", worker=personas.caseworker)
    services.visit_log(
        actor=personas.caseworker,
        household=home,
        method="phone",
        visited_at=local(timezone.localdate() - dt.timedelta(days=214)),
    )
    services.followups_schedule()
    assert open_followup(home).due < timezone.localdate()
    return home


def test_worker_logs_a_visit_to_an_overdue_household_on_a_phone(
    phone: Page, overdue_household: Household, static_log: StaticLog
) -> None:
    log_in(phone, "caseworker", "pw-caseworker")
    expect(phone.get_by_role("heading", name="工作台", exact=True)).to_be_visible()
    expect_styled(phone, static_log)
    overdue = phone.locator("#section-overdue")
    expect(overdue.get_by_role("heading")).to_contain_text("已逾期")
    row = overdue.locator(".work-row").filter(has_text=ADDRESS)
    expect(row).to_contain_text("逾期")
    _check(phone, "worklist-01-start")

    row.get_by_role("link", name=f"记录走访：{HEAD}").click()
    expect(phone.get_by_role("heading", name="记录走访")).to_be_visible()
    phone.get_by_label("入户").check()
    phone.get_by_label("基本生活", exact=True).select_option(label="一般")
    phone.get_by_label("基本生活情况").fill("冰箱里菜不多，低保金按时到账。")
    phone.get_by_label("发现的需求").fill("需要助餐服务")
    _check(phone, "worklist-02-visit-form")
    phone.get_by_role("button", name="保存走访记录").click()

    next_due = add_months(timezone.localdate(), 6)
    expect(phone.get_by_role("status")).to_contain_text(f"下次跟进：{next_due.isoformat()}")
    expect(phone.get_by_role("heading", name=f"{HEAD}家")).to_be_visible()
    expect(phone.locator(".next-followup .due")).to_have_text(next_due.isoformat())
    expect(phone.locator("ol.timeline li").first).to_contain_text("入户")
    _check(phone, "worklist-03-household-after-visit")

    phone.get_by_role("link", name="助联", exact=True).click()  # home: the worklist
    expect(phone.locator("#section-overdue .work-row").filter(has_text=ADDRESS)).to_have_count(0)
    expect(phone.locator(".work-row").filter(has_text="狮林寺巷22号")).to_have_count(1)


def _check(page: Page, name: str) -> None:
    expect_fits_screen(page)
    snap(page, name)
