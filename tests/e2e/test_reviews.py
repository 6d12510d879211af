"""A social worker records a 复核 on a phone: the due review on the worklist, a wrong amount
refused in words, the new amount saved and shown with the next review date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from households.models import Enrolment
from reviews.models import Standard
from tests import factories
from tests.e2e.helpers import StaticLog, expect_fits_screen, expect_styled, log_in, snap

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ADDRESS = "狮林寺巷31号"
HEAD = "周桂兰"


@pytest.fixture
def due_review(areas: SimpleNamespace, personas: SimpleNamespace) -> Enrolment:
    Standard.objects.create(
        district=areas.district,
        effective_date=dt.date(2026, 7, 1),
        dibao=Decimal("1195"),
        tekun_basic=Decimal("1554"),
        tekun_care_full=Decimal("250"),
        tekun_care_partial=Decimal("750"),
        tekun_care_none=Decimal("1500"),
    )
    home = factories.household(
        area=areas.grid,
        address=ADDRESS,
        head={"name": HEAD, "monthly_income": Decimal("812")},
        worker=personas.caseworker,
    )
    e = factories.enrolment(household=home, monthly_amount=Decimal("383"))
    Enrolment.objects.filter(pk=e.pk).update(review_due=timezone.localdate() - dt.timedelta(days=3))
    return e


def test_worker_records_a_review_on_a_phone(
    phone: Page, due_review: Enrolment, static_log: StaticLog
) -> None:
    log_in(phone, "caseworker", "pw-caseworker")
    expect_styled(phone, static_log)
    section = phone.locator("#section-reviews")
    expect(section.get_by_role("heading")).to_contain_text("复核到期")
    row = section.locator(".work-row").filter(has_text=ADDRESS)
    expect(row).to_contain_text("逾期 3 天")
    _check(phone, "reviews-01-worklist")

    row.locator("a.row-link").click()
    expect(phone.get_by_role("heading", name="记录复核")).to_be_visible()
    expect(phone.locator("dl.facts")).to_contain_text("812 元 / 低保标准 1,195 元")
    phone.get_by_label("调整金额").check()
    phone.get_by_label("理由").fill("子女毕业参加工作，收入增加")
    phone.get_by_role("button", name="保存复核结果").click()
    expect(phone.locator(".field-error")).to_contain_text("调整金额时请填写新的月救助金额")
    _check(phone, "reviews-02-error")

    phone.get_by_label("新的月救助金额（元）").fill("250")
    phone.get_by_role("button", name="保存复核结果").click()
    expect(phone.get_by_role("heading", name=f"{HEAD}家")).to_be_visible()
    expect(phone.locator("article.enrolment").first).to_contain_text("250.00")
    _check(phone, "reviews-03-household")


def _check(page: Page, name: str) -> None:
    expect_fits_screen(page)
    snap(page, name)
