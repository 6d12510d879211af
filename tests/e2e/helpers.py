"""Steps every browser test repeats: log in, check a page is styled and fits, keep a picture."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PICO_CSS = "/static/vendor/pico/pico.min.css"


@dataclass
class StaticLog:
    """The HTTP status of every static file the browser asked for (0: the request failed)."""

    statuses: dict[str, int] = field(default_factory=dict)

    def record(self, url: str, status: int) -> None:
        self.statuses[url] = status

    def failures(self) -> dict[str, int]:
        return {url: status for url, status in self.statuses.items() if not 200 <= status < 400}

    def status_of(self, path: str) -> int | None:
        return next((s for url, s in self.statuses.items() if url.endswith(path)), None)


def log_in(page: Page, username: str, password: str) -> None:
    """Sign in through the login form (going to it first unless the page is already there)."""
    if "/login/" not in page.url:
        page.goto("/")
    expect(page.get_by_role("heading", name="登录助联")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def expect_styled(page: Page, static_log: StaticLog) -> None:
    """Pico CSS was served and applies: its custom properties are set on the root element."""
    assert static_log.status_of(PICO_CSS) == 200, static_log.statuses
    font = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--pico-font-family')"
    )
    assert font.strip(), "Pico CSS did not apply"


def expect_fits_screen(page: Page) -> None:
    """The page itself never scrolls sideways (tables may, inside their .overflow-auto box)."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide on a {width}px screen"


def snap(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def go_to(page: Page, name: str) -> None:
    """Follow a link of the site's menu: a visible one, or else the one folded into 菜单."""
    header = page.locator("header.site-header")
    visible = header.locator("ul.site-nav > li > a", has_text=name)
    if visible.count():
        visible.first.click()
        return
    header.locator("details.dropdown > summary").click()
    header.locator("details.dropdown ul").get_by_role("link", name=name, exact=True).click()
