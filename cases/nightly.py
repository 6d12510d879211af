"""The nightly job's steps owned by apps above cases/ (reviews keeps its due dates).

The scheduling job (cases/tasks.py, and `manage.py schedule_followups` by hand) runs them
after the follow-ups, so there is still one nightly job to watch. An app registers its step
from its `AppConfig.ready()`; cases/ does not import it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class NightlyStep:
    key: str  # its count's name in the task's result
    run: Callable[..., int]  # (today=None or a date) -> rows changed; idempotent
    line: str  # the command's report, with {n} for the count


_steps: dict[str, NightlyStep] = {}


def nightly_step_register(step: NightlyStep) -> None:
    _steps[step.key] = step


def nightly_steps() -> list[NightlyStep]:
    return list(_steps.values())


def nightly_steps_run(*, today: dt.date | None = None) -> dict[str, int]:
    """Each step's count, by key, in the order they were registered."""
    return {step.key: step.run(today=today) for step in nightly_steps()}
