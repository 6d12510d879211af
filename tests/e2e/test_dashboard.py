"""Street staff on a phone: open the dashboard, drill from the overdue count to the list
behind it, and export that list."""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from cases.models import FollowUp
from tests import factories
from tests.e2e.helpers import StaticLog, expect_fits_screen, expect_styled, go_to, log_in, snap

pytestmark = [
    pytest.mark.e2e,
    # The dashboard and exports read through the "replica" alias (a mirror of the primary).
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", "replica"]
    ),
]


@pytest.fixture
def caseload(personas: SimpleNamespace, areas: SimpleNamespace) -> SimpleNamespace:
    today = timezone.localdate()
    late = factories.household(area=areas.grid, actor=personas.caseworker, address="狮林寺巷8号")
    factories.member(household=late, actor=personas.caseworker, name="王小明", relation="child")
    factories.enrolment(household=late, category="dibao", start=today - dt.timedelta(days=60))
    on_time = factories.household(area=areas.neighbour, address="菉葭巷3号")
    far = factories.household(area=areas.far, address="南门路1号")
    # The enrolment's approval schedules the households' follow-ups (at most one open each):
    # the test sets its own instead.
    FollowUp.objects.filter(household__in=[late, on_time, far]).delete()
    FollowUp.objects.create(
        household=late, due=today - dt.timedelta(days=9), tier="A", assignee=personas.caseworker
    )
    FollowUp.objects.create(
        household=on_time, due=today + dt.timedelta(days=20), tier="B", assignee=personas.teammate
    )
    FollowUp.objects.create(household=far, due=today - dt.timedelta(days=30), tier="A")
    return SimpleNamespace(late=late)


def test_street_staff_drill_from_an_overdue_count_to_the_list_and_export_it(
    phone: Page, personas: SimpleNamespace, caseload: SimpleNamespace, static_log: StaticLog
) -> None:
    refused: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused" in message.text:
            refused.append(message.text)

    phone.on("console", watch)
    log_in(phone, "supervisor", "pw-supervisor")

    go_to(phone, "数据看板")
    expect(phone.get_by_role("heading", name="数据看板 · 平江街道")).to_be_visible()
    expect(phone.locator(".caseload-summary")).to_contain_text("低保 1户2人")
    expect(phone.locator("[data-chart][data-ready='1']")).to_have_count(2)
    expect(phone.locator("[data-chart='persons'] svg")).to_be_visible()
    expect_styled(phone, static_log)
    expect_fits_screen(phone)
    snap(phone, "dashboard-01-caseload")

    phone.get_by_role("link", name="走访跟进").click()
    overdue = phone.locator("a.overdue-total")
    expect(overdue).to_have_text("1")
    expect(phone.locator("[data-chart='followups'][data-ready='1']")).to_be_visible()
    expect_fits_screen(phone)
    snap(phone, "dashboard-02-casework")

    overdue.click()
    expect(phone.get_by_role("heading", name="跟进计划台账")).to_be_visible()
    expect(phone.locator(".ledger-total")).to_contain_text("共 1 行")
    rows = phone.locator("table.ledger-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("狮林寺巷8号")
    expect(rows.first).to_contain_text("是")
    expect(phone.get_by_text("南门路1号")).to_have_count(0)
    expect_fits_screen(phone)
    snap(phone, "dashboard-03-overdue-list")

    phone.get_by_label("格式").select_option("csv")
    with phone.expect_download() as waiting:
        phone.get_by_role("button", name="导出").click()
    download = waiting.value
    assert download.suggested_filename.startswith("跟进计划台账_平江街道_")  # the area by name
    content = download.path().read_bytes().decode("utf-8-sig")
    header, *data = list(csv.reader(io.StringIO(content)))
    assert header[:3] == ["区划代码", "社区/网格", "家庭住址"]
    assert [row[2] for row in data] == ["狮林寺巷8号"]
    assert not refused, refused
