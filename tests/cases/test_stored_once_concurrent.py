"""Two copies of one visit arriving at the same moment (a double tap on a slow line, or the
outbox and the page both sending): one row. Transactional: each thread has its own
connection, as two web processes would."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections
from django.utils import timezone

from cases import services
from cases.models import Visit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module", autouse=True)
def _migration_rows_put_back(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        for conn in connections.all():
            contents = getattr(conn, "_test_serialized_contents", None)
            if contents:
                conn.creation.deserialize_db_from_string(contents)


def test_two_concurrent_copies_store_one_visit_and_one_need(household, personas):
    from matching.models import Need

    client_id = uuid.uuid4()
    barrier = threading.Barrier(2)
    outcomes = []

    def send():
        try:
            barrier.wait()
            outcomes.append(
                services.visit_log(
                    actor=personas.caseworker,
                    household=household,
                    method="home",
                    visited_at=timezone.now(),
                    needs=[{"kind": "care:companionship", "description": "陪伴"}],
                    client_id=client_id,
                )
            )
        except Exception as error:  # asserted on below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(o, Visit) for o in outcomes), outcomes
    assert {o.pk for o in outcomes} == {Visit.objects.get().pk}
    assert sorted(o.replayed for o in outcomes) == [False, True]
    assert Need.objects.count() == 1
