"""kill -9 of a Celery worker in the middle of the nightly job and of an export.

A real `celery worker --pool solo` (tests/faults/worker_app.py: our app plus a hold that
stops the task at a chosen point) runs against a throwaway Redis and the test database, on
committed data. The test waits for the hold, SIGKILLs the worker, starts a new one, and
checks the task came back (acks_late: it was never acknowledged) and finished with nothing
lost or done twice. The message returns after the broker's visibility timeout, seconds in
worker_settings.py, 40 minutes in base.py; a killed prefork child is requeued at once by
reject_on_worker_lost instead.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from cases import schedule
from cases.models import FollowUp
from cases.services import followups_schedule
from cases.tasks import followups_schedule_task
from core.models import AccessLog
from households import idnumber
from households.models import Household, Member, User
from ledgers import exports
from ledgers.models import ExportJob
from tests import factories
from tests.factories import days_ago, snapshot, visit
from tests.faults.procs import CeleryWorker, child_env, database_url, wait_for

pytestmark = [
    pytest.mark.faults,
    # The workers read what the test wrote: committed rows, emptied after the test.
    pytest.mark.django_db(
        transaction=True, serialized_rollback=True, databases=["default", "replica"]
    ),
]

WORKER_DB = "zhulian-faults-worker"


@pytest.fixture
def holds(tmp_path: Path) -> Path:
    path = tmp_path / "holds"
    path.mkdir()
    return path


@pytest.fixture
def start_worker(tmp_path, holds, on_redis):
    """Start workers by name; every one still running is stopped when the test ends."""
    env = child_env(
        DJANGO_SETTINGS_MODULE="tests.faults.worker_settings",
        DATABASE_URL=database_url(connection.settings_dict, application_name=WORKER_DB),
        REDIS_URL=on_redis.url,
        ZHULIAN_MEDIA_ROOT=str(tmp_path / "media"),
        ZHULIAN_EXPORT_DIR=str(tmp_path / "exports"),
        FAULTS_HOLD_DIR=str(holds),
        FAULTS_CHUNK_SIZE="10",
        FAULTS_EXPORT_ROWS="10",
    )
    started: list[CeleryWorker] = []

    def start(name: str) -> CeleryWorker:
        worker = CeleryWorker(name, log=tmp_path / f"{name}.log", env=env)
        started.append(worker)
        worker.start()
        return worker

    yield start
    for worker in started:
        worker.stop()


def _arm(holds: Path, point: str) -> None:
    (holds / f"{point}.hold").touch()


def _reached(holds: Path, point: str) -> None:
    wait_for(lambda: (holds / f"{point}.reached").exists(), timeout=30, what=f"hold {point}")


def _release(holds: Path, point: str) -> None:
    (holds / f"{point}.hold").unlink()


def _worker_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [WORKER_DB],
        )
        return cursor.fetchone()[0]


def _kill_mid_task(worker: CeleryWorker, redis) -> None:
    """kill -9 the worker; its message must still be in the broker, unacknowledged."""
    worker.kill9()
    assert not worker.alive()
    assert redis.client().hlen("unacked") == 1  # delivered, never acked (acks_late)
    # Its database sessions end with it (PostgreSQL sees the socket close).
    wait_for(lambda: _worker_backends() == 0, timeout=10, what="the killed worker's backends")


def _succeeded(worker: CeleryWorker, task: str, times: int = 1) -> None:
    """Wait for the task's `times`-th success on `worker`; fail at once if it failed."""
    done = re.compile(rf"Task {re.escape(task)}\[[^\]]+\] succeeded in ")
    failed = re.compile(rf"Task {re.escape(task)}\[[^\]]+\] raised unexpected")

    def finished() -> bool:
        output = worker.output()
        assert not failed.search(output), f"{task} failed on {worker.name}:\n{output[-3000:]}"
        return len(done.findall(output)) >= times

    wait_for(finished, timeout=60, what=f"{task} to succeed on {worker.name}", step=0.1)


def _terminate_worker_backends() -> int:
    """What a PostgreSQL restart does to the worker's sessions (others' are left alone)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [WORKER_DB],
        )
        return cursor.fetchone()[0]


# ---- the nightly job ---------------------------------------------------------------------


@pytest.fixture
def caseload(areas, personas) -> list[Household]:
    """35 households (4 chunks of 10): tiers from enrolments, due dates from visits."""
    homes = []
    for n in range(35):
        home = factories.household(area=areas.grid, actor=personas.caseworker)
        if n % 3 == 0:
            factories.enrolment(household=home, category="dibao")
        elif n % 7 == 1:
            factories.enrolment(household=home, category="tekun", member=home.head)
        if n % 4 == 0:
            visit(household=home, actor=personas.caseworker, on=days_ago(20 + n))
        homes.append(home)
    return homes


def _differences(now: list, clean: list) -> str:
    lines = []
    for part, (a, b) in enumerate(zip(now, clean, strict=True)):
        lines += [f"{part} now {row}" for row in sorted(set(a) - set(b))]
        lines += [f"{part} clean {row}" for row in sorted(set(b) - set(a))]
    return "\n".join(lines)


def _clear_schedule() -> None:
    FollowUp.objects.all().delete()
    Household.objects.update(tier="", tier_reason="")


def test_nightly_job_killed_or_cut_off_from_postgresql_mid_run_completes_once(
    caseload, start_worker, holds, on_redis
):
    # A clean run, uninterrupted, from the same empty schedule: the schedule to get back to.
    # Same chunks as the workers' (assignment balances each community's load chunk by chunk).
    _clear_schedule()
    followups_schedule(chunk_size=10)
    clean, clean_rows = snapshot(), FollowUp.objects.count()
    _clear_schedule()

    _arm(holds, "schedule-chunk")
    first = start_worker("first")
    followups_schedule_task.delay()
    _reached(holds, "schedule-chunk")
    first_chunk = sorted(h.pk for h in caseload)[:10]
    assert sorted(FollowUp.objects.values_list("household_id", flat=True)) == first_chunk
    _kill_mid_task(first, on_redis)
    _release(holds, "schedule-chunk")

    second = start_worker("second")
    _succeeded(second, "cases.followups_schedule")
    assert "'skipped': False" in second.output()
    assert on_redis.client().hlen("unacked") == 0
    assert snapshot() == clean, _differences(snapshot(), clean)  # tiers, follow-ups, assignees
    assert FollowUp.objects.count() == clean_rows  # nothing made twice
    assert followups_schedule(chunk_size=10).rows_changed == 0  # and nothing left to do

    # PostgreSQL restarts under the same job, between two chunks: it is retried, not lost.
    _clear_schedule()
    _arm(holds, "schedule-chunk")
    (holds / "schedule-chunk.reached").unlink()
    followups_schedule_task.delay()
    _reached(holds, "schedule-chunk")
    assert _terminate_worker_backends() >= 1
    _release(holds, "schedule-chunk")
    _succeeded(second, "cases.followups_schedule", times=2)
    assert "Retry in" in second.output()
    assert snapshot() == clean and FollowUp.objects.count() == clean_rows

    # With prefork (as deployed) a killed pool child's task is redelivered at once, while
    # PostgreSQL may still be running the dead run's statement with the run lock held: the
    # redelivered run must wait for it, not skip the night.
    _clear_schedule()
    retries = second.output().count("Retry in")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [schedule.RUN_LOCK])
        try:
            followups_schedule_task.delay()
            wait_for(
                lambda: second.output().count("Retry in") > retries,
                timeout=30,
                what="the run to wait for the lock",
            )
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [schedule.RUN_LOCK])
    _succeeded(second, "cases.followups_schedule", times=3)
    assert "'skipped': True" not in second.output()
    assert snapshot() == clean and FollowUp.objects.count() == clean_rows


# ---- an export -----------------------------------------------------------------------------


@pytest.fixture
def registry(areas, personas) -> set[str]:
    """40 members in 20 households; the identity numbers the export must hold, once each."""
    numbers = set()
    for _ in range(20):
        head, spouse = factories.id_number(), factories.id_number(sex="F")
        home = factories.household(area=areas.grid, head={"id_number": head})
        factories.member(household=home, id_number=spouse)
        numbers |= {head, spouse}
    assert Member.objects.count() == len(numbers) == 40
    return numbers


@pytest.fixture
def full_exporter(personas) -> User:
    permission = Permission.objects.get(codename="export_full_id_number")
    personas.admin.user_permissions.add(permission)
    return User.objects.get(pk=personas.admin.pk)


def _start_export(actor: User) -> ExportJob:
    req = exports.export_request_build(
        actor=actor, ledger_name="members", fmt="csv", full_id_numbers=True
    )
    return exports.export_job_start(actor=actor, req=req)  # commits, then publishes


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))[1:]


def test_export_killed_or_cut_off_from_postgresql_mid_file_completes_once(
    registry, full_exporter, start_worker, holds, on_redis, tmp_path
):
    exports_dir = tmp_path / "exports"
    _arm(holds, "export-rows")
    first = start_worker("first")
    job = _start_export(full_exporter)
    _reached(holds, "export-rows")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING and job.attempts == 1
    (partial,) = exports_dir.glob("*.part")
    assert 10 <= len(_rows(partial)) < 40  # killed half-way through the file
    _kill_mid_task(first, on_redis)
    _release(holds, "export-rows")

    second = start_worker("second")
    _succeeded(second, "core.ledgers.tasks.ledger_export_task")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert (job.attempts, job.row_count) == (2, 40)
    rows = _rows(exports_dir / job.file_name)
    numbers = [cell for row in rows for cell in row if idnumber.looks_like_id_number(cell)]
    assert len(rows) == 40 and sorted(numbers) == sorted(registry)  # each once, none lost
    assert AccessLog.objects.filter(action="export").count() == 1  # finished once
    assert on_redis.client().hlen("unacked") == 0
    for number in registry:  # the workers wrote the numbers to the file, never to their logs
        assert number not in first.output() + second.output()

    # PostgreSQL restarts under the surviving worker, mid-file: the job is retried.
    _arm(holds, "export-rows")
    (holds / "export-rows.reached").unlink()
    again = _start_export(full_exporter)
    _reached(holds, "export-rows")
    assert _terminate_worker_backends() >= 1
    _release(holds, "export-rows")
    _succeeded(second, "core.ledgers.tasks.ledger_export_task", times=2)
    again.refresh_from_db()
    assert (again.status, again.row_count, again.attempts) == (ExportJob.Status.DONE, 40, 2)
    assert len(_rows(exports_dir / again.file_name)) == 40
    assert AccessLog.objects.filter(action="export").count() == 2
