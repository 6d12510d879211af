"""Timing, query counting and the results table.

A scenario module registers functions with `@scenario("name")`. Each gets the shared
`Context` and returns a `Case`: our code, one or more references doing the same work, and a
way to say whether they returned the same rows. Every callable runs `repeat` times after a
warm-up; the table shows medians, the notes p95s. A scenario that raises `Skip` or fails
gets a row saying so, and the run goes on.
"""

from __future__ import annotations

import statistics
import subprocess
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
WARM_UP = 2


class Skip(Exception):  # noqa: N818 — reads as `raise Skip("why")`
    """Raised by a scenario that cannot run here; the message goes into the table."""


@dataclass
class Case:
    ours: Callable[[], Any]
    references: list[tuple[str, Callable[[], Any]]]
    note: str = ""
    # Turns a result (ours or a reference's) into comparable rows, e.g. a list of ids.
    rows: Callable[[Any], Any] | None = None
    # Timed runs for this case when fewer than the context's (a 1,000,000-row export).
    repeat: int | None = None
    # Untimed, before every run of `ours` and of each reference (and once after the last of
    # `ours`): puts back the state a run changed (e.g. vacuums what a rolled-back write
    # left), so each run, ours or a reference's, starts alike.
    reset: Callable[[], Any] | None = None


@dataclass
class Scenario:
    name: str
    prepare: Callable[[Context], Case]

    @property
    def module(self) -> str:
        """The scenario module's short name: `households` for bench/scenarios/households.py."""
        return self.prepare.__module__.rsplit(".", 1)[-1]

    def selected(self, *, modules: list[str], texts: list[str]) -> bool:
        """Whether the run's filters (empty: everything) let this scenario in."""
        if modules and self.module not in modules:
            return False
        return not texts or any(text in self.name for text in texts)


REGISTRY: list[Scenario] = []


def scenario(name: str) -> Callable[[Callable[[Context], Case]], Callable[[Context], Case]]:
    def register(prepare: Callable[[Context], Case]) -> Callable[[Context], Case]:
        REGISTRY.append(Scenario(name, prepare))
        return prepare

    return register


@dataclass
class Context:
    """What scenarios share: the repeat count, demo users and logged-in clients."""

    repeat: int
    _clients: dict[str, Client] = field(default_factory=dict)

    @cached_property
    def admin(self) -> Any:
        from households.models import User

        return User.objects.select_related("area").get(username="admin")

    def user(self, username: str) -> Any:
        from households.models import User

        return User.objects.select_related("area").get(username=username)

    def client(self, username: str = "admin") -> Client:
        if username not in self._clients:
            client = Client()
            client.force_login(self.user(username))
            self._clients[username] = client
        return self._clients[username]


@dataclass
class Timing:
    median_ms: float
    p95_ms: float
    result: Any


@dataclass
class Row:
    scenario: str
    ours_ms: float | None = None
    reference_ms: float | None = None
    queries: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> str:
        if self.ours_ms is None or not self.reference_ms:
            return "—"
        return f"{self.ours_ms / self.reference_ms:.1f}×"


def measure(fn: Callable[[], Any], repeat: int, reset: Callable[[], Any] | None = None) -> Timing:
    result = None
    for _ in range(WARM_UP):
        if reset is not None:
            reset()
        result = fn()
    samples = []
    for _ in range(repeat):
        if reset is not None:
            reset()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        reset_queries()
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(statistics.median(samples), p95, result)


def count_queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def run_scenario(item: Scenario, context: Context) -> list[Row]:
    """Rows for one scenario: one per reference, or one saying why it did not run."""
    try:
        case = item.prepare(context)
        repeat = min(context.repeat, case.repeat or context.repeat)
        ours = measure(case.ours, repeat, case.reset)
        if case.reset is not None:
            case.reset()
        queries = count_queries(case.ours)
        if case.reset is not None:
            case.reset()
    except Skip as skip:
        return [Row(item.name, notes=[f"skipped: {skip}"])]
    except Exception as error:  # one failing scenario must not stop the run
        return [Row(item.name, notes=[f"error: {_describe(error)}"])]
    rows = []
    for label, reference in case.references or [("", None)]:
        row = Row(f"{item.name} — vs {label}" if label else item.name, ours.median_ms)
        row.queries = queries
        row.notes.append(f"ours p95 {ours.p95_ms:.1f}")
        if reference is not None:
            _compare(row, case, ours, reference, repeat)
        if case.note:
            row.notes.append(case.note)
        rows.append(row)
    return rows


def _compare(row: Row, case: Case, ours: Timing, reference: Callable[[], Any], repeat: int) -> None:
    try:
        theirs = measure(reference, repeat, case.reset)
    except Exception as error:
        row.notes.append(f"reference error: {_describe(error)}")
        return
    row.reference_ms = theirs.median_ms
    row.notes.append(f"ref p95 {theirs.p95_ms:.1f}")
    if case.rows is not None:
        try:
            same = case.rows(ours.result) == case.rows(theirs.result)
        except Exception as error:
            row.notes.append(f"rows not compared: {_describe(error)}")
        else:
            row.notes.append("same rows" if same else "ROWS DIFFER")


def _describe(error: Exception) -> str:
    where = traceback.extract_tb(error.__traceback__)[-1:]
    place = f" ({Path(where[0].filename).name}:{where[0].lineno})" if where else ""
    return f"{type(error).__name__}: {error}".splitlines()[0][:160] + place


def run_all(
    context: Context, *, after_each: Callable[[list[Row]], object] | None = None
) -> list[Row]:
    """Run every registered scenario; `after_each` sees the rows so far after each one."""
    rows: list[Row] = []
    for item in REGISTRY:
        print(f"… {item.name}", flush=True)
        rows.extend(run_scenario(item, context))
        if after_each is not None:
            after_each(rows)
    return rows


def table(rows: list[Row]) -> str:
    header = "| scenario | ours median ms | reference median ms | ratio | ours queries | notes |"
    lines = [header, "|---|---:|---:|---:|---:|---|"]
    for row in rows:
        lines.append(
            f"| {row.scenario} | {_ms(row.ours_ms)} | {_ms(row.reference_ms)} | {row.ratio} "
            f"| {'—' if row.queries is None else row.queries} | {'; '.join(row.notes)} |"
        )
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def write_results(rows: list[Row], header: list[str]) -> Path:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(["# Benchmark results", "", *header, "", table(rows), ""]))
    return RESULTS


def git_revision() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).resolve().parent,
        )
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"
