"""Many workers allocating at once: never more than the capacity or the stock.

Transactional tests: each thread has its own connection and its own transactions, as
workers behind different web processes would.
"""

import threading

import pytest
from django.db import connection, connections

from core.errors import ApplicationError
from matching import services
from matching.models import Referral
from resources.models import ResourceUsage
from tests import factories
from tests.factories import need as make_need

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module", autouse=True)
def _migration_rows_put_back(django_db_setup, django_db_blocker):
    """A transactional test ends by emptying every table, the categories a data migration
    seeded included; put them back after the last one, so --reuse-db hands the next run's
    ordinary tests a whole database."""
    yield
    with django_db_blocker.unblock():
        for conn in connections.all():
            contents = getattr(conn, "_test_serialized_contents", None)
            if contents:
                conn.creation.deserialize_db_from_string(contents)


def _in_parallel(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes = []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait()
            result = job()
        except Exception as error:  # collected, and asserted on below
            result = error
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_twenty_parallel_allocations_against_capacity_five_give_exactly_five(personas, areas, pool):
    needs = [make_need(household=factories.household(area=areas.grid)) for _ in range(20)]

    def propose(need):
        return lambda: services.referral_propose(
            actor=personas.caseworker, need=need, resource=pool.cleaning
        )

    outcomes = _in_parallel([propose(need) for need in needs])
    made = [o for o in outcomes if isinstance(o, Referral)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(made) == 5 and len(refused) == 15, outcomes
    assert ResourceUsage.objects.get(resource=pool.cleaning).used == 5
    assert Referral.objects.filter(resource=pool.cleaning).count() == 5


def test_parallel_batch_runs_never_over_allocate(personas, areas, pool):
    for _ in range(12):
        make_need(household=factories.household(area=areas.grid))
    runs = _in_parallel(
        [
            lambda: services.match_run(actor=personas.caseworker, area=areas.community),
            lambda: services.match_run(actor=personas.supervisor, area=areas.street),
            lambda: services.match_run(actor=personas.admin, area=areas.district),
        ]
    )
    assert all(not isinstance(run, Exception) for run in runs), runs
    assert sum(run.referrals_made for run in runs) == 5
    assert ResourceUsage.objects.get(resource=pool.cleaning).used == 5
    assert Referral.objects.count() == 5
    assert Referral.objects.values("need").distinct().count() == 5


def test_parallel_goods_issues_never_go_below_zero(personas, areas, pool):
    needs = [
        make_need(
            household=factories.household(area=areas.grid),
            type="survival",
            subtype="goods",
            quantity=3,
        )
        for _ in range(8)
    ]
    outcomes = _in_parallel(
        [
            (
                lambda n=n: services.referral_propose(
                    actor=personas.caseworker, need=n, resource=pool.quilts
                )
            )
            for n in needs
        ]
    )
    assert sum(isinstance(o, Referral) for o in outcomes) == 3
    pool.quilts.refresh_from_db()
    assert pool.quilts.stock == 1
