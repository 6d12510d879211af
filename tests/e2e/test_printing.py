"""Printing on a phone: the 打印 and 下载PDF buttons of a household and a visit, the paper view."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.helpers import StaticLog, expect_fits_screen, expect_styled, log_in, snap
from tests.factories import visit as make_visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TAP = 44  # px: the smallest comfortable touch target


def test_household_and_visit_print_and_download_as_pdf(
    phone: Page, personas: SimpleNamespace, areas: SimpleNamespace, static_log: StaticLog
) -> None:
    home = factories.household(
        area=areas.grid, actor=personas.caseworker, address="狮林寺巷8号", head={"name": "李桂兰"}
    )
    visit = make_visit(household=home, actor=personas.caseworker, needs_noted="需要陪同就医")
    log_in(phone, "caseworker", "pw-caseworker")

    for url, name in [
        (f"/households/{home.uuid}/", "household"),
        (f"/cases/visits/{visit.uuid}/", "visit"),
    ]:
        phone.goto(url)
        expect_styled(phone, static_log)
        expect_fits_screen(phone)
        actions = phone.locator(".print-actions")
        for control in (
            actions.get_by_role("button", name="打印"),
            actions.get_by_role("button", name="下载PDF"),
        ):
            box = control.bounding_box()
            assert box and box["height"] >= TAP and box["width"] >= TAP, box

        # 打印 opens the browser's print dialog (our script, allowed by the CSP).
        phone.evaluate("window.print = () => { window.printed = true; }")
        actions.get_by_role("button", name="打印").click()
        assert phone.evaluate("window.printed") is True

        with phone.expect_download() as download:
            actions.get_by_role("button", name="下载PDF").click()
        assert download.value.suggested_filename.endswith(".pdf")
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

        # On paper: the content, without the site's navigation or any button.
        phone.emulate_media(media="print")
        expect(phone.locator("header.site-header")).to_be_hidden()
        expect(actions).to_be_hidden()
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        snap(phone, f"printing-{name}-paper")
        phone.emulate_media(media="screen")
