"""Browser tests: a real Chromium against pytest-django's live server, on a phone-sized screen.

Run them alone with `pytest tests/e2e`, or leave them out with `pytest -m "not e2e"`.
The browser is the system's Chromium (`playwright install` is not used); set
E2E_CHROMIUM to point at another binary.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, Response, sync_playwright

from tests.e2e.helpers import ARTIFACTS, StaticLog

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# An iPhone 12–15-sized screen.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}

_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: browser test against the live server (Playwright)")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="package")
def _test_database(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """The rows the test database held after its migrations ran; put back after the last test.

    Live-server tests are transactional: each one ends by emptying every table, including the
    categories a data migration seeds. `serialized_rollback` reloads those rows before each
    test; putting them back after the last one as well leaves a database that --reuse-db can
    hand to the next run's ordinary tests.
    """
    contents = {
        connection.alias: connection._test_serialized_contents
        for connection in connections.all()
        if getattr(connection, "_test_serialized_contents", None)
    }
    if '"households.category"' not in contents.get("default", ""):
        pytest.fail(
            "The test database holds none of the rows its migrations made: mark browser tests "
            "django_db(transaction=True, serialized_rollback=True), and if they are, a "
            "transactional test has emptied the reused database: run once with --create-db."
        )
    yield contents
    with django_db_blocker.unblock():
        for alias, data in contents.items():
            connections[alias].creation.deserialize_db_from_string(data)


@pytest.fixture(scope="package")
def browser(_test_database: dict[str, str]) -> Iterator[Browser]:
    """One Chromium for the browser tests; Playwright stops when they are done.

    While Playwright's sync API is running, its asyncio loop counts as running in the test
    thread. Django then refuses ORM calls unless DJANGO_ALLOW_ASYNC_UNSAFE is set (safe here:
    the loop only drives the browser), and asgiref hands the thread a second set of database
    connections, which must be given the serialized rows the first set holds.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install it or set E2E_CHROMIUM.")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        for alias, data in _test_database.items():
            connections[alias]._test_serialized_contents = data
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Close this second set while it is still the one Django sees.
        connections.close_all()


@pytest.fixture
def static_log() -> StaticLog:
    return StaticLog()


@pytest.fixture
def phone(
    browser: Browser, live_server: Any, static_log: StaticLog, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A fresh phone-sized browser tab on the live server; a screenshot is kept on failure."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()

    def record(response: Response) -> None:
        if "/static/" in response.url:
            static_log.record(response.url, response.status)

    page.on("response", record)
    page.on(
        "requestfailed",
        lambda req: static_log.record(req.url, 0) if "/static/" in req.url else None,
    )
    yield page
    reports = request.node.stash.get(_reports, {})
    if any(report.failed for report in reports.values()):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}-failure.png", full_page=True)
    context.close()
    assert not static_log.failures(), f"static files failed to load: {static_log.failures()}"
