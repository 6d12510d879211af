"""PostgreSQL restarted under a running app: the next request succeeds, no restart of ours.

Two tests. The first ends the server-side end of the app's connections on the machine's
shared server (pg_terminate_backend), which is what the app sees of a restart. The second
really restarts a server: a throwaway cluster of our own (initdb in a temporary folder, a
free port, run as the `postgres` system user when we are root), holding a copy of the test
database. While it is down, pages answer a 503 page and the API a 503 JSON (no traceback);
once it is up, the same gunicorn workers serve again, writes included, with no restart.

The app is a real gunicorn with persistent connections (CONN_MAX_AGE, as base.py runs it),
because Django's test client skips the request-start connection handling that
conn_health_checks relies on. The Celery worker's side is checked in test_worker_killed.py.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Visit
from tests.faults.conftest import deadline
from tests.faults.flows import visit_post
from tests.faults.procs import (
    Browser,
    Gunicorn,
    PostgresCluster,
    child_env,
    child_pids,
    database_url,
    running,
    wait_for,
)

pytestmark = [
    pytest.mark.faults,
    # The gunicorn reads what the test wrote: committed rows, emptied after the test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

APP = "zhulian-faults-web"


def _backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = %s ORDER BY pid",
            [APP],
        )
        return [pid for (pid,) in cursor.fetchall()]


def _terminate_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [APP],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def web(tmp_path, redis_server):
    env = child_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url(connection.settings_dict, application_name=APP),
        DATABASE_CONN_MAX_AGE="600",
        REDIS_URL=redis_server.url,
    )
    with running(Gunicorn(log=tmp_path / "gunicorn.log", env=env)) as server:
        yield server


def test_the_web_app_recovers_from_a_postgresql_restart_by_itself(web, personas, household):
    browser = Browser(web.url)
    login = reverse("login")
    status = browser.post(login, {"username": "caseworker", "password": "pw-caseworker"})
    assert status == 302
    detail = reverse("households:detail", args=[household.uuid])
    assert browser.get(reverse("households:list"))[0] == 200
    assert browser.get(detail)[0] == 200
    before = _backends()
    assert browser.get(detail)[0] == 200
    assert _backends() == before and len(before) == 1  # one persistent connection, reused

    assert _terminate_backends() == 1
    wait_for(lambda: not _backends(), timeout=10, what="the terminated backend to exit")
    proxy = Browser(web.url)  # the proxy's health check: no cookie, so no session to read
    assert proxy.get(reverse("healthz")) == (200, "ok\n")
    assert not _backends()  # it answered without the database

    # The very next request: the health check finds the dead connection and reconnects.
    status, page = browser.get(detail)
    assert status == 200, page[:2000]
    after = _backends()
    assert len(after) == 1 and after != before
    form = reverse("cases:visit_log", args=[household.uuid])
    assert browser.post(form, visit_post(household)) == 302  # writes too, same session
    assert Visit.objects.filter(household=household).count() == 1
    assert "Internal Server Error" not in web.output()


# ---- a real restart, of a server of our own ---------------------------------------------------


@pytest.fixture
def own_postgres(personas, household):
    """A cluster of our own holding a copy of the test database (the personas and household
    committed above), removed with everything in it when the test ends, pass or fail."""
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        pytest.skip("no PostgreSQL server programs (initdb, pg_ctl) on this machine")
    cluster = PostgresCluster(Path(tempfile.mkdtemp(prefix="zhulian-faults-pg-")))
    try:
        cluster.create()
        cluster.start()
        cluster.copy_database(database_url(connection.settings_dict), "zhulian")
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def web_on_own_postgres(tmp_path, redis_server, own_postgres):
    env = child_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=own_postgres.url("zhulian", application_name=APP),
        DATABASE_CONN_MAX_AGE="600",
        REDIS_URL=redis_server.url,
    )
    with running(Gunicorn(log=tmp_path / "gunicorn.log", env=env, workers=2)) as server:
        yield server


def _visits(cluster: PostgresCluster, household) -> int:
    with psycopg.connect(cluster.url("zhulian")) as conn:
        query = "SELECT count(*) FROM cases_visit WHERE household_id = %s"
        return conn.execute(query, [household.pk]).fetchone()[0]


def test_a_real_postgresql_restart_is_a_503_then_the_same_workers_recover(
    web_on_own_postgres, own_postgres, household
):
    web, cluster = web_on_own_postgres, own_postgres
    with deadline(60, "the PostgreSQL restart test"):
        browser = Browser(web.url)
        login = reverse("login")
        assert browser.post(login, {"username": "caseworker", "password": "pw-caseworker"}) == 302
        detail = reverse("households:detail", args=[household.uuid])
        api = reverse("api-households:household-list")
        for _ in range(4):  # both workers hold a connection
            assert browser.get(detail)[0] == 200
        workers = child_pids(web.pid)
        assert len(workers) == 2

        cluster.stop()
        for path in (detail, reverse("households:list")):
            status, page = browser.get(path)
            assert status == 503, page[:1000]
            assert "服务暂时不可用" in page and "Traceback" not in page
        status, body = browser.get(api)
        assert status == 503 and '"detail"' in body and "Traceback" not in body
        assert Browser(web.url).get(reverse("healthz")) == (200, "ok\n")

        cluster.start()
        # Each worker's next request reconnects; a few, to reach both workers.
        for _ in range(4):
            status, page = browser.get(detail)
            assert status == 200, page[:2000]
        assert browser.get(api)[0] == 200
        form = reverse("cases:visit_log", args=[household.uuid])
        assert browser.post(form, visit_post(household)) == 302  # writes too, same session
        assert _visits(cluster, household) == 1
        assert child_pids(web.pid) == workers  # the same workers: none was restarted
