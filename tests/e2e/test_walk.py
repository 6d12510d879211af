"""What a walk through the app on a phone showed: the login page's console stays clean and
its link for residents (一键求助) and the approval filters are big enough to tap."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from playwright.sync_api import ConsoleMessage, Page

from tests.e2e.helpers import log_in

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


def test_approval_filters_are_big_enough_to_tap(phone: Page, personas: SimpleNamespace) -> None:
    """Two by two on a phone, the filters are smaller than a form's fields, but still a
    finger's size."""
    log_in(phone, "caseworker", "pw-caseworker")
    phone.goto("/enrolments/pending/")
    heights = phone.locator(".pending-filters select").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 44, heights


def test_the_outbox_list_has_no_bullets_hanging_off_the_screen(
    phone: Page, personas: SimpleNamespace
) -> None:
    """The list has no left padding, so a bullet would sit at the screen's very edge."""
    log_in(phone, "caseworker", "pw-caseworker")
    phone.goto("/cases/worklist/")
    marker = phone.evaluate(
        """() => {
          const li = document.createElement("li");
          li.textContent = "待上传";
          document.getElementById("outbox-list").appendChild(li);
          return getComputedStyle(li).listStyleType;
        }"""
    )
    assert marker == "none"


def test_a_household_opens_from_a_finger_sized_name(phone: Page, household: object) -> None:
    log_in(phone, "caseworker", "pw-caseworker")
    phone.goto("/households/")
    box = phone.locator("table.households tbody td:first-child a").first.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44, box
