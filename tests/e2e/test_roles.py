"""Each reviewing role walks its own pages, at desk width (1366 px) and on a phone (390 px).

The other browser tests each hold one page's work; these follow a street's staff, a district
admin and an auditor from page to page, and check at every step what that role must see, that
the page does not scroll sideways and that the browser refused nothing under the CSP.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from cases.models import FollowUp
from core.audit import log_access
from core.models import AccessLog
from households import idnumber
from households.models import Enrolment, Household, User
from tests import factories
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import expect_fits_screen, go_to, log_in, snap

pytestmark = [
    pytest.mark.e2e,
    # The dashboard and exports read through the "replica" alias (a mirror of the primary).
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", "replica"]
    ),
]

DESK: dict[str, Any] = {
    "viewport": {"width": 1366, "height": 900},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
SCREENS = [pytest.param(DESK, id="1366"), pytest.param(PHONE, id="390")]
PHONE_NUMBER = "13912345678"


@pytest.fixture(params=SCREENS)
def screen(request: pytest.FixtureRequest, browser: Browser, live_server: Any) -> Iterator[Page]:
    """One browser context per test, at the parametrized size; CSP refusals are collected."""
    context = browser.new_context(base_url=live_server.url, **request.param)
    context.set_default_timeout(10_000)
    page = context.new_page()
    refused: list[str] = []
    # The page's own report of a blocked resource or script, as well as the console's.
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", watch)
    page.csp_refused = refused  # type: ignore[attr-defined]
    yield page
    context.close()


def _check(page: Page, name: str) -> None:
    """Every step: the page fits the screen's width and the browser refused nothing."""
    expect_fits_screen(page)
    violations = page.evaluate("window.__csp || []")
    assert not violations, f"{page.url}: CSP violations {violations}"
    assert not page.csp_refused, page.csp_refused  # type: ignore[attr-defined]
    width = page.viewport_size["width"] if page.viewport_size else 0
    snap(page, f"roles-{name}-{width}")


@pytest.fixture
def world(personas: SimpleNamespace, areas: SimpleNamespace) -> SimpleNamespace:
    """A small street: two 低保 households and one application in 狮林, one overdue follow-up,
    two applications waiting in 狮林 and one in 菉葭, a worker in 菉葭."""
    today = timezone.localdate()
    helper = factories.user(
        "helper", role=User.Role.SOCIAL_WORKER, area=areas.neighbour, display_name="许超"
    )
    home = factories.household(
        area=areas.grid,
        actor=personas.caseworker,
        address="狮林寺巷8号",
        head={"name": "李桂兰"},
        phone=PHONE_NUMBER,
    )
    factories.enrolment(household=home, category="dibao", start=today - dt.timedelta(days=60))
    second = factories.household(area=areas.grid, address="狮林寺巷9号", head={"name": "周德福"})
    factories.enrolment(household=second, category="dibao", start=today - dt.timedelta(days=40))
    FollowUp.objects.update_or_create(
        household=home,
        status=FollowUp.Status.OPEN,
        defaults={
            "due": today - dt.timedelta(days=9),
            "tier": "A",
            "assignee": personas.caseworker,
        },
    )
    for n, (area, head) in enumerate(
        [(areas.grid, "甲一"), (areas.grid, "乙二"), (areas.neighbour, "丙三")]
    ):
        applicant = factories.household(area=area, address=f"审批路{n + 1}号", head={"name": head})
        factories.enrolment(household=applicant, category="dibao", approve=False)
    log_access(
        actor=personas.caseworker,
        action=AccessLog.Action.VIEW_HOUSEHOLD,
        obj=home,
        household_id=home.pk,
    )
    return SimpleNamespace(home=home, helper=helper)


def test_street_staff_walk_from_the_dashboard_to_an_export(
    screen: Page, world: SimpleNamespace, areas: SimpleNamespace, monkeypatch: Any
) -> None:
    page = screen
    log_in(page, "supervisor", "pw-supervisor")
    go_to(page, "数据看板")
    expect(page.get_by_role("heading", name="数据看板 · 平江街道")).to_be_visible()
    cell = page.locator(f"tr[data-area='{areas.community.code}'] a[data-cell='dibao-households']")
    expect(cell).to_have_text("2")  # the application waiting is not counted
    _check(page, "street-01-dashboard")

    cell.click()
    expect(page.get_by_role("heading", name="家庭档案")).to_be_visible()
    expect(page.locator(".page-head")).to_contain_text("共 2 户")
    expect(page.locator(".drill-down")).to_contain_text("享受救助 · 低保")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="狮林寺巷8号")).to_have_count(1)
    expect(rows.filter(has_text="狮林寺巷9号")).to_have_count(1)
    _check(page, "street-02-drilldown")

    page.goto("/dashboard/casework/")
    overdue = page.locator("a.overdue-total")
    expect(overdue).to_have_text("1")
    _check(page, "street-03-casework")
    overdue.click()
    expect(page.get_by_role("heading", name="跟进计划台账")).to_be_visible()
    expect(page.locator(".ledger-total")).to_contain_text("共 1 行")
    page.get_by_role("link", name="到业务页面处理").click()
    expect(page.locator("#rows")).to_contain_text("共 1 户")
    expect(page.locator("main")).to_contain_text("狮林寺巷8号")
    _check(page, "street-04-overdue")

    page.get_by_label("全选本页").check()
    reassign = page.locator("#bulk-reassign select[name=assignee]")
    expect(reassign.locator("option", has_text="许超")).to_have_count(1)
    reassign.select_option(str(world.helper.pk))
    page.get_by_role("button", name="改派勾选的跟进").click()
    expect(page.get_by_role("status")).to_contain_text("已将 1 条跟进计划改派给 许超")
    assert FollowUp.objects.get(household=world.home, status="open").assignee == world.helper
    _check(page, "street-05-reassigned")

    # Past the in-request limit, an export is made in the background and listed in 我的下载.
    monkeypatch.setattr("ledgers.exports.SYNC_ROW_LIMIT", 0)
    page.get_by_role("link", name="导出这些逾期跟进（跟进计划台账）").click()
    expect(page.get_by_role("heading", name="跟进计划台账")).to_be_visible()
    expect(page.get_by_label("格式")).to_have_value("xlsx")
    page.get_by_role("button", name="导出").click()
    expect(page.get_by_role("heading", name="我的下载")).to_be_visible()
    job = page.locator("table.downloads tbody tr").first
    expect(job).to_contain_text("跟进计划台账 · XLSX")
    expect(job.get_by_role("button", name="下载")).to_be_visible()
    expect(job.locator(".job-rows")).to_have_text("1")
    _check(page, "street-06-downloads")


def test_district_admin_decide_tune_tiers_search_the_log_and_reveal(
    screen: Page, world: SimpleNamespace, areas: SimpleNamespace
) -> None:
    page = screen
    log_in(page, "admin", "pw-admin")
    go_to(page, "救助审批")
    expect(page.locator(".pending-total")).to_contain_text("共 3 份待审批")
    _check(page, "admin-01-approvals")

    page.locator(".pending-filters select[name=community]").select_option(str(areas.community.code))
    page.locator(".pending-filters").get_by_role("button", name="筛选").click()
    expect(page.locator(".pending-total")).to_contain_text("共 2 份待审批")
    expect(page.get_by_role("article")).to_have_count(2)
    expect(page.get_by_text("丙三")).to_have_count(0)
    _check(page, "admin-02-approvals-filtered")

    page.get_by_label("全选本页").check()
    page.locator("#bulk-reason").fill("材料齐全")
    page.get_by_role("button", name="批准勾选的申请", exact=True).click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("甲一户（审批路1号）")
    expect(status).to_contain_text("乙二户（审批路2号）")
    assert Enrolment.objects.filter(decision_reason="材料齐全", status="approved").count() == 2
    _check(page, "admin-03-approved")

    page.goto("/cases/tier-rules/")
    expect(page.get_by_text("当前享受某类救助").first).to_be_visible()
    expect(page.get_by_text("enrolled")).to_have_count(0)
    _check(page, "admin-04-tier-rules")
    page.get_by_role("row").filter(has_text="救助类别：低保").get_by_role(
        "link", name="编辑"
    ).click()
    expect(page.get_by_role("heading", name="编辑分层规则")).to_be_visible()
    page.locator("select[name=tier]").select_option("A")
    page.get_by_role("button", name="预览影响").click()
    preview = page.locator(".tier-preview")
    expect(preview).to_contain_text("尚未保存")
    expect(preview.locator("tbody tr").first).to_contain_text("B → A")
    expect(preview).to_contain_text("户改变分层")
    _check(page, "admin-05-tier-preview")

    go_to(page, "访问日志")
    page.get_by_role("textbox", name="家庭：成员姓名或地址").fill("李桂兰")
    page.locator("form.access-log-search").get_by_role("button", name="搜索").click()
    entries = page.locator("ol.access-log > li")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("狮林寺巷8号")
    _check(page, "admin-06-access-log")

    page.goto(f"/households/{world.home.uuid}/")
    head = page.locator("li.member-card").filter(has_text="李桂兰")
    head.locator("details.reveal summary").click()
    head.locator("input[name=reason]").fill("核对低保材料")
    head.get_by_role("button", name="查看（记入访问日志）").click()
    number = idnumber.decrypt(world.home.members.get(name="李桂兰").id_number_cipher)
    expect(page.locator("code.revealed")).to_have_text(number)
    assert AccessLog.objects.filter(detail__reason="核对低保材料").exists()
    _check(page, "admin-07-revealed")


def test_auditor_reads_but_changes_nothing(screen: Page, world: SimpleNamespace) -> None:
    page = screen
    home: Household = world.home
    log_in(page, "viewer", "pw-viewer")
    page.goto(f"/households/{home.uuid}/")
    expect(page.get_by_role("heading", name="李桂兰家")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).not_to_contain_text(PHONE_NUMBER)
    expect(facts).to_contain_text(PHONE_NUMBER[:3])
    expect(page.locator("details.reveal")).to_have_count(0)
    expect(page.locator("a.tel")).to_have_count(0)
    expect(page.get_by_role("link", name="编辑家庭信息")).to_have_count(0)
    expect(page.locator("a.edit")).to_have_count(0)
    expect(page.get_by_role("link", name="添加成员")).to_have_count(0)
    _check(page, "auditor-01-household")

    # An export: never with full numbers for an auditor, so the numbers come out masked.
    page.goto("/ledgers/members/")
    expect(page.get_by_role("heading", name="家庭成员台账")).to_be_visible()
    expect(page.get_by_label("导出完整身份证号")).to_have_count(0)
    _check(page, "auditor-02-ledger")
    with page.expect_download() as waiting:
        page.get_by_role("button", name="导出").click()
    download = waiting.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes())).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    number = idnumber.decrypt(home.members.get(name="李桂兰").id_number_cipher)
    assert number not in cells
    assert number[:4] + "*" * 10 + number[-4:] in cells

    go_to(page, "访问日志")
    export = page.locator("ol.access-log > li").filter(has_text="导出").first
    expect(export).to_contain_text("家庭成员台账")
    details = export.locator("dl.entry-detail")
    expect(details).to_contain_text("行数")
    expect(details).to_contain_text("脱敏")  # the numbers it held were masked
    expect(details).not_to_contain_text("{")
    _check(page, "auditor-03-access-log")

    response = page.goto(f"/households/{home.uuid}/edit/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(page.locator("header.site-header")).to_be_visible()
    _check(page, "auditor-04-forbidden")
