"""Case work's panels on the household's pages, and the slots of case work's own pages.

The worklist and a visit's page show what apps above cases/ own (needs waiting for the
worker, review dues, reviews recorded from a visit); those apps register their panels here
in their `AppConfig.ready()` (core/panels.py), so cases/ never imports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cases.selectors import household_case_panel
from core.panels import Slot
from households.panels import household_file_sections, household_sections

if TYPE_CHECKING:
    from households.models import Household, User

# Sections at the top of the worklist, above the follow-ups (called with actor=, today=).
worklist_alerts = Slot("worklist_alerts")
# Sections of the worklist after the follow-ups (actor=, today=).
worklist_sections = Slot("worklist_sections")
# Sections at the foot of a visit's page (actor=, visit=).
visit_sections = Slot("visit_sections")

VISIT_LIMIT = 10  # the file shows the latest visits; each has its own record to print


def household_panel(*, actor: User, household: Household) -> dict[str, Any]:
    return {"cases": household_case_panel(actor=actor, household=household)}


def household_file_panel(*, actor: User, household: Household) -> dict[str, Any]:
    cases = household_case_panel(actor=actor, household=household)
    return {"cases": cases, "visits": cases["visits"][:VISIT_LIMIT], "visit_limit": VISIT_LIMIT}


def register() -> None:
    """Case work's panels on the household page and file: first below the enrolments."""
    household_sections.register(
        template="cases/household_panel.html", context=household_panel, order=10
    )
    household_file_sections.register(
        template="cases/_household_file.html", context=household_file_panel, order=10
    )
