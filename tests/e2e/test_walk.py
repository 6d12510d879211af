"""What a walk through the app on a phone showed: the login page's console stays clean and
its link for residents (一键求助) is big enough to tap."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_login_page_logs_no_console_error_and_its_help_link_is_tappable(phone: Page) -> None:
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    phone.on("console", keep)
    phone.goto("/login/")
    phone.wait_for_load_state("networkidle")
    link = phone.get_by_role("button", name="一键求助（无需登录）")
    box = link.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44, box
    link.click()
    phone.wait_for_url("**/matching/help/")
    phone.wait_for_load_state("networkidle")
    assert errors == []
