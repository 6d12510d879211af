"""一门受理 on a phone: a worker takes an application, two investigators record the visit
with a signature drawn on the screen, the street publishes the notice, the district approves,
and the applicant follows the step by reference number without an account."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from applications import services
from applications.models import Application
from households.models import Category, Enrolment
from resources import services as resource_services
from resources.models import Provider
from reviews.models import Standard
from tests import factories
from tests.e2e.helpers import StaticLog, expect_fits_screen, expect_styled, log_in, snap

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _district_list(areas: SimpleNamespace, personas: SimpleNamespace) -> None:
    bureau = resource_services.provider_create(
        actor=None, kind=Provider.Kind.GOVERNMENT, name="姑苏区民政局", area=areas.district
    )
    services.responsibility_create(
        actor=personas.admin,
        category=Category.objects.get(code="dibao"),
        data={"department": bureau},
    )
    Standard.objects.create(
        district=areas.district,
        effective_date=dt.date(2026, 1, 1),
        dibao=Decimal("1195"),
        tekun_basic=Decimal("1554"),
        tekun_care_full=250,
        tekun_care_partial=750,
        tekun_care_none=1500,
    )


def _switch(phone: Page, username: str) -> None:
    phone.context.clear_cookies()
    phone.goto("/login/")
    log_in(phone, username, f"pw-{username}")


def test_an_application_from_the_window_to_the_applicants_lookup(
    phone: Page, personas: SimpleNamespace, areas: SimpleNamespace, static_log: StaticLog
) -> None:
    _district_list(areas, personas)
    household = factories.household(
        area=areas.grid, actor=personas.caseworker, address="受理巷3号", head={"name": "周国平"}
    )

    # The worker takes the application on the household's page.
    log_in(phone, "caseworker", "pw-caseworker")
    phone.goto(f"/households/{household.uuid}/")
    phone.get_by_role("button", name="受理救助申请").click()
    expect_styled(phone, static_log)
    phone.get_by_label("入户走访").check()
    phone.get_by_label("申请人联系电话").fill("13955556666")
    phone.get_by_label("申请事由").fill("户主患病失业")
    phone.get_by_label("申请人已签署家庭经济状况核对授权书").check()
    expect_fits_screen(phone)
    snap(phone, "applications-01-take-390")
    phone.get_by_role("button", name="受理", exact=True).click()
    expect(phone.get_by_role("status")).to_contain_text("已受理，受理编号")
    application = Application.objects.get()
    assert application.channel == "visit"
    expect(phone.locator(".app-clock")).to_contain_text("受理")

    # The district (the department's own step) accepts: the investigation's clock starts.
    _switch(phone, "admin")
    phone.goto(f"/applications/{application.uuid}/")
    phone.get_by_role("button", name="受理", exact=True).click()
    expect(phone.get_by_role("status")).to_contain_text("已受理")

    # Two investigators record the visit; the people present sign on the screen.
    _switch(phone, "caseworker")
    phone.goto(f"/applications/{application.uuid}/")
    phone.get_by_role("button", name="记录入户调查").click()
    phone.get_by_label("teammate").check()
    phone.get_by_label("共同生活家庭成员人数").fill("2")
    phone.get_by_label("家庭月收入（元）").fill("1500")
    phone.get_by_label("家庭财产（元）").fill("3000")
    phone.get_by_label("调查情况").fill("二人同住，户主长期服药")
    box = phone.locator("#signature-canvas").bounding_box()
    assert box is not None
    phone.mouse.move(box["x"] + 20, box["y"] + 40)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(box["x"] + 20 + step * 22, box["y"] + 40 + (step % 3) * 25)
    phone.mouse.up()
    expect_fits_screen(phone)
    snap(phone, "applications-02-investigation-390")
    phone.get_by_role("button", name="保存调查").click()
    expect(phone.get_by_role("status")).to_contain_text("入户调查已记录")
    investigation = application.investigations.get()
    assert investigation.signature.startswith("data:image/png;base64,")
    assert investigation.investigators.count() == 2
    assert investigation.per_capita_income == Decimal("750.00")

    # The street publishes the community's notice, names masked.
    _switch(phone, "supervisor")
    phone.goto(f"/applications/notices/new/{areas.community.code}/")
    phone.get_by_label(re.compile(application.reference)).check()
    phone.get_by_label("监督电话").fill("0512-65220000")
    phone.get_by_role("button", name="发布").click()
    expect(phone.get_by_role("status")).to_contain_text("公示已发布")
    expect(phone.get_by_role("table")).to_contain_text("周*平")
    expect(phone.get_by_role("table")).not_to_contain_text("周国平")
    expect_fits_screen(phone)
    snap(phone, "applications-03-notice-390")

    # Seven days later, with no objection, the district approves.
    Application.objects.filter(pk=application.pk).update(
        notice_end=timezone.localdate() - dt.timedelta(days=1)
    )
    _switch(phone, "admin")
    phone.goto(f"/applications/{application.uuid}/")
    phone.get_by_label("月救助金额（元）").fill("890")
    phone.get_by_role("button", name="批准", exact=True).click()
    expect(phone.get_by_role("status")).to_contain_text("已批准")
    enrolment = Enrolment.objects.get(household=household)
    assert enrolment.status == Enrolment.Status.APPROVED
    assert enrolment.monthly_amount == Decimal("890")

    # The applicant, without an account, sees the step and nothing personal.
    phone.context.clear_cookies()
    phone.goto("/applications/lookup/")
    phone.get_by_label("受理编号").fill(application.reference)
    phone.get_by_label("申请时登记的电话").fill("139 5555 6666")
    phone.get_by_role("button", name="查询").click()
    expect(phone.locator(".lookup-step")).to_have_text("已批准")
    expect(phone.locator("main")).not_to_contain_text("周国平")
    expect(phone.locator("main")).not_to_contain_text("受理巷")
    expect_fits_screen(phone)
    snap(phone, "applications-04-lookup-390")
