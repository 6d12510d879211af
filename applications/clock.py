"""The statutory clock of an application: each step's due date, and how it stands today.

The due dates are set by the services when a step starts (and kept on the row); this module
only says what they mean on a given day: done in time or late, open, near its limit (one
working day or less left) or past it. Plain functions, no ORM.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from applications import workdays

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from applications.models import Application

NEAR_WORKDAYS = 1


@dataclass(frozen=True)
class Step:
    label: Promise
    due: dt.date | None
    done_on: dt.date | None
    state: str  # done, late, open, near, overdue, waiting
    left: int | None = None  # working days left while open


def _state(
    due: dt.date | None, done_on: dt.date | None, today: dt.date, overrides: workdays.Overrides
) -> tuple[str, int | None]:
    if done_on is not None:
        return ("late" if due is not None and done_on > due else "done"), None
    if due is None:
        return "waiting", None
    left = workdays.workdays_between(today, due, overrides)
    if today > due:
        return "overdue", left
    if left <= NEAR_WORKDAYS:
        return "near", left
    return "open", left


def standing(
    due: dt.date | None, today: dt.date, overrides: workdays.Overrides
) -> tuple[str, int | None]:
    """How an open step with this due date stands today: open, near or overdue."""
    return _state(due, None, today, overrides)


def clock(application: Application, today: dt.date, overrides: workdays.Overrides) -> list[Step]:
    """The steps of the application with their due dates, in order."""
    a = application
    decided = a.decided_on if a.status in ("approved", "rejected") else None
    rows: list[tuple[Promise, dt.date | None, dt.date | None]] = [
        (_("受理"), a.accept_due, a.accepted_on),
        (_("开始入户调查"), a.investigation_due, a.investigation_started_on),
    ]
    if a.notice_start is not None:
        rows.append((_("公示期满"), a.notice_end, a.notice_end if a.notice_end < today else None))
    rows.append((_("作出决定"), a.decision_due, decided))
    if a.status == "rejected":
        rows.append((_("书面通知申请人"), a.rejection_notice_due, a.rejection_notice_sent_on))
    steps = []
    for label, due, done_on in rows:
        state, left = _state(due, done_on, today, overrides)
        steps.append(Step(label=label, due=due, done_on=done_on, state=state, left=left))
    return steps
