"""Writers outside a request (jobs, commands, imports) do not queue on one history context.

Transactional: each thread has its own connection and transaction, as Celery workers do.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from households.models import Household
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module", autouse=True)
def _migration_rows_put_back(django_db_setup, django_db_blocker):
    """Put back what the migrations seeded after the transactional test emptied the tables."""
    yield
    with django_db_blocker.unblock():
        for conn in connections.all():
            contents = getattr(conn, "_test_serialized_contents", None)
            if contents:
                conn.creation.deserialize_db_from_string(contents)


def test_two_system_writers_do_not_wait_for_each_other(areas):
    first = factories.household(area=areas.grid, address="甲巷1号")
    second = factories.household(area=areas.grid, address="乙巷2号")
    holding, done = threading.Event(), threading.Event()
    outcome: list[object] = []

    def other_job() -> None:
        try:
            holding.wait(10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '3s'")
                Household.objects.filter(pk=second.pk).update(note="另一个任务")
            outcome.append("committed")
        except Exception as error:  # asserted on below
            outcome.append(error)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=other_job)
    thread.start()
    with transaction.atomic():
        # A history row written and its context row upserted; held until this commit.
        Household.objects.filter(pk=first.pk).update(note="夜间任务")
        holding.set()
        assert done.wait(15), "the other job is still waiting"
    thread.join()

    assert outcome == ["committed"]
    contexts = {
        event.pgh_context_id
        for event in Household.pgh_event_model.objects.filter(note__in=["夜间任务", "另一个任务"])
    }
    assert len(contexts) == 2
