"""A street of many communities on a phone: the bar chart's names do not overlap (issue 15)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from households.models import Area
from tests import factories
from tests.e2e.helpers import go_to, log_in, snap

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", "replica"]
    ),
]

NAMES = ["钮家巷社区", "平江路社区", "大儒社区", "仓街社区", "华阳社区", "娄门社区", "北园社区"]


@pytest.fixture
def many(personas: SimpleNamespace, areas: SimpleNamespace) -> list[str]:
    start = timezone.localdate() - dt.timedelta(days=60)
    for i, name in enumerate(NAMES, start=3):
        community = factories.area(f"320506001{i:03d}", name, Area.Level.COMMUNITY, areas.street)
        home = factories.household(area=community, address=f"{name}1号")
        factories.enrolment(household=home, category="dibao", start=start)
    return ["狮林社区", "菉葭社区", *NAMES]


def _label_boxes(page: Page, chart: str, names: list[str]) -> list[dict]:
    return page.evaluate(
        """([chart, names]) => Array.from(
            document.querySelectorAll(`[data-chart='${chart}'] svg text`))
          .filter(t => names.some(n => n.startsWith(t.textContent.replace('...', ''))))
          .map(t => { const r = t.getBoundingClientRect();
                      return {x: r.left, y: r.top, w: r.width, h: r.height}; })""",
        [chart, names],
    )


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def test_community_names_on_the_bar_chart_do_not_overlap_on_a_phone(
    phone: Page, many: list[str]
) -> None:
    log_in(phone, "supervisor", "pw-supervisor")
    go_to(phone, "数据看板")
    chart = phone.locator("[data-chart='persons'][data-ready='1']")
    expect(chart).to_be_visible()
    chart.scroll_into_view_if_needed()
    boxes = _label_boxes(phone, "persons", many)
    assert len(boxes) == len(many)
    clashes = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if _overlap(a, b)]
    assert not clashes
    snap(phone, "dashboard-labels-390")
