"""Reviews' panels on the pages of the apps below: the household page's income line, the
worklist's review dues, and the enrolments a visit may count as reviewed.

Registered from `ReviewsConfig.ready()` (core/panels.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from access.capabilities import Can, can
from cases.panels import visit_sections, worklist_sections
from households.panels import household_facts
from reviews.selectors import household_income_line, household_reviewable, worklist_reviews

if TYPE_CHECKING:
    from cases.models import Visit
    from households.models import Household, User


def income_line(*, actor: User, household: Household) -> dict[str, Any]:
    return {"line": household_income_line(household=household, day=timezone.localdate())}


def worklist_dues(*, actor: User, today: dt.date) -> dict[str, Any]:
    total, rows = worklist_reviews(actor=actor, today=today)
    return {"reviews": rows, "reviews_total": total, "can_record": can(actor, Can.RECORD_REVIEW)}


def visit_reviewable(*, actor: User, visit: Visit) -> dict[str, Any]:
    """A review recorded from a visit's page counts the visit as its record (and follow-up)."""
    if not can(actor, Can.RECORD_REVIEW):
        return {"reviewable": []}
    return {"reviewable": household_reviewable(household=visit.household)}


def register() -> None:
    household_facts.register(template="reviews/_income_line.html", context=income_line)
    worklist_sections.register(template="reviews/_worklist_reviews.html", context=worklist_dues)
    visit_sections.register(template="reviews/_visit_reviews.html", context=visit_reviewable)
