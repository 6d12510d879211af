"""Every control a worker or street staff taps on a 390 px phone is at least 44×44 CSS px
(WCAG 2.5.5), on the pages they use most: the worklist, a household, a referral, the
dashboard, the approvals and the overdue follow-ups.

The one exemption, as in WCAG: a link inside running text, that is a link in a paragraph
(<p>) of the page's main content whose words outside its links are prose (at least
PROSE_CHARS characters); such a link keeps the line's height. The header, a back link
alone in its paragraph, and links in tables or lists are never exempt.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from cases.models import FollowUp
from households.services import household_update
from matching import services as matching
from tests import factories
from tests.e2e.helpers import log_in, snap
from tests.factories import need as make_need
from tests.factories.resources import pool  # noqa: F401 - the shared pool fixture

pytestmark = [
    pytest.mark.e2e,
    # The dashboard reads through the "replica" alias (a mirror of the primary).
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", "replica"]
    ),
]

MIN = 44
PROSE_CHARS = 20

# The visible targets smaller than MIN×MIN: a checkbox or radio passes when the label
# around it (or naming it) is big enough, since tapping the label ticks it.
_SMALL_TARGETS = """([min, proseChars]) => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden";
  };
  const big = (el) => {
    const r = el.getBoundingClientRect();
    return r.width >= min - 0.5 && r.height >= min - 0.5;
  };
  const inProse = (a) => {
    const p = a.closest("main p");
    if (!p) return false;
    let words = p.textContent;
    for (const link of p.querySelectorAll("a")) words = words.replace(link.textContent, "");
    return words.replace(/\\s+/g, "").length >= proseChars;
  };
  const describe = (el) => {
    const r = el.getBoundingClientRect();
    const text = (el.textContent || el.name || el.id || "").trim().slice(0, 30);
    return `${el.tagName.toLowerCase()}${el.className ? "." + el.className : ""} "${text}"`
      + ` ${Math.round(r.width)}×${Math.round(r.height)}`;
  };
  const small = [];
  const selector = "a[href], button, summary, select, "
    + "input[type=checkbox], input[type=radio], input[type=submit]";
  for (const el of document.querySelectorAll(selector)) {
    if (!visible(el) || big(el)) continue;
    if (el.matches("a") && inProse(el)) continue;
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      const label = el.closest("label")
        || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label && visible(label) && big(label)) continue;
    }
    small.push(describe(el));
  }
  return small;
}"""


@pytest.fixture
def scene(personas: SimpleNamespace, areas: SimpleNamespace, household, pool) -> SimpleNamespace:  # noqa: F811
    """A household with a referral, a pending application and two overdue follow-ups."""
    today = timezone.localdate()
    household_update(actor=None, household=household, data={"phone": "13912345678"})
    factories.enrolment(household=household, category="dibao", start=today - dt.timedelta(days=60))
    applying = factories.household(area=areas.grid, address="审批路1号", head={"name": "甲一"})
    factories.enrolment(household=applying, category="dibian", approve=False)
    need = make_need(household=household, description="老人独居，需要每周打扫一次", quantity=2)
    referral = matching.referral_propose(
        actor=personas.caseworker, need=need, resource=pool.cleaning
    )
    for n in range(2):
        late = factories.household(area=areas.grid, address=f"逾期路{n + 1}号")
        FollowUp.objects.filter(household=late, status="open").delete()
        FollowUp.objects.create(
            household=late,
            due=today - dt.timedelta(days=10),
            tier="B",
            assignee=personas.caseworker,
        )
    return SimpleNamespace(household=household, referral=referral)


def _check(page: Page, user: str, paths: dict[str, str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, path in paths.items():
        response = page.goto(path)
        assert response is not None and response.status == 200, (user, path)
        page.wait_for_load_state("networkidle")
        snap(page, f"targets-{user}-{name}-390")
        small = page.evaluate(_SMALL_TARGETS, [MIN, PROSE_CHARS])
        if small:
            found[path] = small
    # The same pages on a desktop screen, to look at: the bigger targets keep its layout.
    page.set_viewport_size({"width": 1366, "height": 900})
    for name, path in paths.items():
        page.goto(path)
        page.wait_for_load_state("networkidle")
        snap(page, f"targets-{user}-{name}-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    return found


def _listing(small: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}: {target}" for path, targets in small.items() for target in targets)


def test_a_workers_pages_have_finger_sized_targets(phone: Page, scene: SimpleNamespace) -> None:
    log_in(phone, "caseworker", "pw-caseworker")
    small = _check(
        phone,
        "worker",
        {
            "worklist": "/cases/worklist/",
            "household": f"/households/{scene.household.uuid}/",
            "referral": f"/matching/referrals/{scene.referral.uuid}/",
            "approvals": "/enrolments/pending/",
            # a back link alone in its paragraph (返回家庭档案)
            "need": f"/matching/households/{scene.household.uuid}/needs/create/",
        },
    )
    assert not small, _listing(small)


def test_street_staffs_pages_have_finger_sized_targets(phone: Page, scene: SimpleNamespace) -> None:
    log_in(phone, "supervisor", "pw-supervisor")
    small = _check(
        phone,
        "street",
        {
            "dashboard": "/dashboard/",
            "approvals": "/enrolments/pending/",
            "overdue": "/cases/overdue/",
            "household": f"/households/{scene.household.uuid}/",
            "referral": f"/matching/referrals/{scene.referral.uuid}/",
        },
    )
    assert not small, _listing(small)


def test_the_approval_cards_checkboxes_are_finger_sized(
    phone: Page, scene: SimpleNamespace
) -> None:
    """Only a user who may decide sees a checkbox on each card (a district admin here)."""
    log_in(phone, "admin", "pw-admin")
    small = _check(phone, "admin", {"approvals": "/enrolments/pending/"})
    assert phone.locator("article.application input[type=checkbox]").count() == 1
    assert not small, _listing(small)
