"""`celery -A tests.faults.worker_app worker`: config.celery's app, with test-only holds.

A hold stops a task at a chosen point until the test kills the worker, so the kill lands
exactly mid-way, on data small enough to run in seconds. A hold is armed by the file
`<point>.hold` in FAULTS_HOLD_DIR; reaching the point writes `<point>.reached` and waits
while the `.hold` file exists. Without FAULTS_HOLD_DIR nothing is changed. Points:

- `schedule-chunk`: the nightly job after its first chunk committed (chunks of
  FAULTS_CHUNK_SIZE households instead of 10,000);
- `export-rows`: an export after its first FAULTS_EXPORT_ROWS rows are in the partial file.

The nightly job's retry after finding the run lock taken comes after 1 s instead of 30.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from config.celery import app

__all__ = ["app"]

HOLD_DIR = os.environ.get("FAULTS_HOLD_DIR")


def hold(point: str) -> None:
    if not HOLD_DIR:
        return
    armed = Path(HOLD_DIR) / f"{point}.hold"
    if not armed.exists():
        return
    (Path(HOLD_DIR) / f"{point}.reached").touch()
    while armed.exists():
        time.sleep(0.05)


def _install() -> None:
    import django

    django.setup()
    from cases import schedule, tasks
    from ledgers import csvfile

    tasks.SKIPPED_RETRY_SECONDS = 1  # not 30: the test waits for it

    chunk_size = int(os.environ.get("FAULTS_CHUNK_SIZE", "10"))
    export_rows = int(os.environ.get("FAULTS_EXPORT_ROWS", "10"))
    chunk_bounds = schedule.chunk_bounds

    def small_chunks(_size: int) -> Iterator[tuple[int, int]]:
        for n, bounds in enumerate(chunk_bounds(chunk_size)):
            if n == 1:  # the loop asks for chunk 2 only once chunk 1 has committed
                hold("schedule-chunk")
            yield bounds

    def held_rows(rows: Iterable[Any], out: Any) -> Iterator[Any]:
        for n, row in enumerate(rows):
            if n == export_rows:
                out.flush()
                hold("export-rows")
            yield row

    write_copied, write_rows = csvfile.write_copied, csvfile.write_rows

    def write_copied_held(out: Any, chunks: Iterable[bytes], **kwargs: Any) -> int:
        return write_copied(out, held_rows(chunks, out), **kwargs)

    def write_rows_held(out: Any, rows: Iterable[Any], **kwargs: Any) -> int:
        return write_rows(out, held_rows(rows, out), **kwargs)

    schedule.chunk_bounds = small_chunks
    csvfile.write_copied = write_copied_held
    csvfile.write_rows = write_rows_held


if HOLD_DIR:
    _install()
