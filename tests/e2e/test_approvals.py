"""A district admin clears a page of applications at once (1366 px), and street staff give a
selection of overdue follow-ups to a worker of another community of the street (390 px)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import FollowUp
from households.models import Enrolment, User
from tests import factories
from tests.e2e.helpers import StaticLog, expect_fits_screen, expect_styled, go_to, log_in, snap

pytestmark = [
    pytest.mark.e2e,
    # Committed data for the live server; the reference rows migrations made come back.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_district_admin_decides_a_page_of_applications_at_once(
    phone: Page, personas: SimpleNamespace, areas: SimpleNamespace, static_log: StaticLog
) -> None:
    for n, head in enumerate(["甲一", "乙二", "丙三"]):
        household = factories.household(
            area=areas.grid, address=f"审批路{n + 1}号", head={"name": head}
        )
        factories.enrolment(household=household, category="dibao", approve=False)
    phone.set_viewport_size({"width": 1366, "height": 900})
    log_in(phone, "admin", "pw-admin")
    go_to(phone, "救助审批")
    expect(phone.locator(".pending-total")).to_contain_text("共 3 份待审批")
    expect(phone.get_by_role("article")).to_have_count(3)
    expect(phone.get_by_role("article").first).to_contain_text("经办人")
    expect_styled(phone, static_log)
    phone.get_by_label("全选本页").check()
    expect(phone.locator(".bulk-decide .selected-count")).to_have_text("已勾选 3 项")
    snap(phone, "approvals-01-page-1366")
    phone.locator("#bulk-reason").fill("材料齐全")
    phone.get_by_role("button", name="批准勾选的申请", exact=True).click()
    expect(phone.get_by_role("status")).to_contain_text("已批准：甲一户（审批路1号）的低保申请")
    expect(phone.get_by_text("没有待审批的申请。")).to_be_visible()
    assert Enrolment.objects.filter(status="approved", decision_reason="材料齐全").count() == 3

    phone.set_viewport_size({"width": 390, "height": 844})
    phone.reload()
    expect_fits_screen(phone)


def test_street_staff_reassign_a_selection_on_a_phone(
    phone: Page, personas: SimpleNamespace, areas: SimpleNamespace, static_log: StaticLog
) -> None:
    helper = factories.user(
        "helper", role=User.Role.SOCIAL_WORKER, area=areas.neighbour, display_name="许超"
    )
    due = timezone.localdate() - dt.timedelta(days=10)
    for n in range(2):
        household = factories.household(area=areas.grid, address=f"逾期路{n + 1}号")
        FollowUp.objects.filter(household=household, status="open").delete()
        FollowUp.objects.create(
            household=household, due=due, tier="B", assignee=personas.caseworker
        )
    log_in(phone, "supervisor", "pw-supervisor")
    phone.goto("/cases/overdue/?assignee=caseworker")
    expect(phone.locator("#rows")).to_contain_text("共 2 户")
    expect(phone.get_by_role("link", name="导出这些逾期跟进（跟进计划台账）")).to_be_visible()
    phone.get_by_label("全选本页").check()
    phone.locator("#bulk-reassign select[name=assignee]").select_option(str(helper.pk))
    expect_fits_screen(phone)
    snap(phone, "approvals-02-reassign-390")
    phone.get_by_role("button", name="改派勾选的跟进").click()
    expect(phone.get_by_role("status")).to_contain_text("已将 2 条跟进计划改派给 许超")
    assert FollowUp.objects.filter(assignee=helper, status="open").count() == 2
    # the filter is kept: the list is the caseworker's, now empty
    expect(phone.get_by_text("没有符合条件的逾期跟进。")).to_be_visible()
