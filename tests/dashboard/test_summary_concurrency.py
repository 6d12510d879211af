"""Concurrent writers of the same households keep the summary equal to the direct count.

Transactional tests: each thread has its own connection and transactions, as web workers
do. Two transactions changing enrolments of one household, a move racing visits and
follow-ups of the moved household: whichever commits first, the relative upserts and the
per-household locks leave the numbers the direct GROUP BYs give.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Callable

import pghistory
import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import Visit
from dashboards import summary
from households import services
from households.models import Category, Enrolment
from tests import factories
from tests.dashboard.test_summary import assert_agrees, assert_panels_agree

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TODAY = timezone.localdate()


@pytest.fixture(scope="module", autouse=True)
def _migration_rows_put_back(django_db_setup, django_db_blocker):
    """Put back what the migrations seeded (categories, the summary's horizon row) after
    the last transactional test has emptied every table."""
    yield
    with django_db_blocker.unblock():
        for conn in connections.all():
            contents = getattr(conn, "_test_serialized_contents", None)
            if contents:
                conn.creation.deserialize_db_from_string(contents)


def _in_parallel(jobs: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[object] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            # Each its own history context, as each web request has: writers sharing the
            # connections' default "system" context all lock its one pghistory_context row
            # (a deadlock with deferred foreign-key checks, whatever the triggers).
            with pghistory.context(test="concurrency"):
                outcomes.append(job())
        except Exception as error:  # collected, and asserted on below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _pending(home, code: str, start: dt.date, members) -> Enrolment:
    enrolment = Enrolment.objects.create(
        household=home,
        category=Category.objects.get(code=code),
        status="applied",
        start_date=start,
        end_date=start + dt.timedelta(days=30) if code == "linshi" else None,
    )
    enrolment.members.set(members)
    return enrolment


def test_parallel_writers_of_one_household_leave_the_direct_numbers(personas, areas):
    summary.caseload_summary_rebuild()
    factories.household(area=areas.community)  # one more household for the nightly job
    home = factories.household(area=areas.grid)
    child = factories.member(household=home, name="小孩", relation="child")
    enrolments = [
        _pending(home, "dibao", TODAY - dt.timedelta(days=100), [home.head, child]),
        _pending(home, "linshi", TODAY - dt.timedelta(days=10), [child]),
        _pending(home, "zhichu", TODAY - dt.timedelta(days=300), [home.head]),
    ]

    def approve(enrolment: Enrolment) -> Callable[[], object]:
        def job() -> object:
            with transaction.atomic():
                return Enrolment.objects.filter(pk=enrolment.pk).update(
                    status="approved", decided_at=timezone.now()
                )

        return job

    def move() -> object:
        return services.household_update(actor=None, household=home, data={"area": areas.far})

    def visit(days: int) -> Callable[[], object]:
        def job() -> object:
            when = timezone.now() - dt.timedelta(days=days)
            return Visit.objects.create(
                household=home, method="home", visited_at=when, visit_date=timezone.localdate(when)
            )

        return job

    def nightly() -> object:
        return case_services.followups_schedule()

    outcomes = _in_parallel([*(approve(e) for e in enrolments), move, visit(1), visit(40), nightly])
    errors = [str(o) for o in outcomes if isinstance(o, Exception)]
    assert not errors, "\n".join(errors)
    assert_agrees(personas.admin, areas, random.Random(5))
    assert_panels_agree(personas.admin, areas)
