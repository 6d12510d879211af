"""一门受理's panels on the pages of the apps below: a household's applications on its page,
and the statutory clock on the dashboard's case-work page.

Registered in the slots those pages declare (core/panels.py), from `register()`, which
`ApplicationsConfig.ready()` calls: the pages never import applications/.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from access.capabilities import Can, can
from applications import dashboard, selectors


def household_panel(*, actor: Any, household: Any) -> dict[str, Any]:
    """The household's applications (the page already showed the household is in scope)."""
    return {
        "household_applications": list(selectors.household_applications(household=household)[:20]),
        "may_take_application": can(actor, Can.TAKE_APPLICATION),
    }


def clock_panel(*, actor: Any, scope: Any, day: Any = None) -> dict[str, Any]:
    """Applications near or past their limit under the area the dashboard shows (`scope.area`,
    which the dashboards app has already checked lies in the actor's scope)."""
    area = getattr(scope, "area", None)
    panel = dashboard.clock_panel(
        actor=actor,
        today=timezone.localdate(),
        area_prefix=area.prefix if area is not None else None,
    )
    return {"application_clock": panel}


def register() -> None:
    from dashboards.slots import casework_sections
    from households.panels import household_sections

    household_sections.register(
        template="applications/_household_applications.html", context=household_panel, order=30
    )
    casework_sections.register(template="applications/_clock_panel.html", context=clock_panel)
