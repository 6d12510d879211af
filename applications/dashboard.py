"""The street dashboard's clock panel: open applications near or past their step's limit.

Its own module so that the dashboard page only includes it (a template tag): the rows come
from one indexed range over the open applications (selectors.clock_panel).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from access.capabilities import Can, can
from applications import selectors

if TYPE_CHECKING:
    from applications.models import Application
    from applications.selectors import Actor

PANEL_ROWS = 20


@dataclass(frozen=True)
class ClockPanel:
    overdue: int
    near: int
    rows: list[tuple[Application, bool]]  # the application, and whether it is past its limit

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.near)


def clock_panel(
    *, actor: Actor, today: dt.date, area_prefix: str | None = None
) -> ClockPanel | None:
    """None for those who read no applications (the panel is then left out).

    `area_prefix`: the area the dashboard shows (the actor's own area when None)."""
    if not can(actor, Can.TAKE_APPLICATION) and actor is not None and actor.role != "auditor":
        return None
    overdue, near, rows = selectors.clock_panel(
        actor=actor, today=today, limit=PANEL_ROWS, area_prefix=area_prefix
    )
    return ClockPanel(overdue=overdue, near=near, rows=[(a, a.due_on < today) for a in rows])
