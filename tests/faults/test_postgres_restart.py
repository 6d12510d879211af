"""PostgreSQL restarted under a running app: the next request succeeds, no restart of ours.

The machine's PostgreSQL is shared, so it is not restarted: the server-side end of every
connection the app holds is terminated (pg_terminate_backend), which is what the app sees of
a restart. The app is a real gunicorn with persistent connections (CONN_MAX_AGE, as base.py
runs it), because Django's test client skips the request-start connection handling that
conn_health_checks relies on. The Celery worker's side is checked in test_worker_killed.py.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from cases.models import Visit
from tests.faults.flows import visit_post
from tests.faults.procs import Browser, Gunicorn, child_env, database_url, running, wait_for

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
