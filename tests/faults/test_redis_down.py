"""Redis stopped (or hung): pages keep working and no job is lost.

What uses Redis: the cache (the help form's rate limit, the dashboard's cached GROUP BYs) and
the Celery broker (an export job, the reschedule after a tier-rule change, beat's nightly
job). Sessions, logins and their lockouts (django-axes' database handler) are in PostgreSQL.
Each test points the app at a throwaway redis-server and kills it (tests/faults/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import TierRule, Visit
from ledgers import exports
from ledgers.models import ExportJob
from ledgers.tasks import ledger_export_requeue_task, ledger_export_task
from matching.models import Need
from matching.selectors import help_communities
from tests.faults.conftest import deadline, queued_messages
from tests.faults.flows import login, social_worker_round

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db,
    pytest.mark.usefixtures("replica_is_default"),
]


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def redis_down(on_redis):
    """The app's Redis crashed (kill -9): connections are refused."""
    on_redis.crash()
    return on_redis


def _help(client: Client, **overrides: str):
    data = {
        "phone": "139 1234 5678",
        "area": help_communities().get(code="320506001001").pk,
        "type": "survival",
        "subtype": "living",
        "description": "家里断粮了",
        "website": "",
        **overrides,
    }
    return client.post(reverse("matching:help"), data)


def test_pages_work_while_redis_is_down(client, personas, household, redis_down):
    login(client, personas.caseworker)
    social_worker_round(client, household)
    assert Visit.objects.filter(household=household).count() == 1
    client.force_login(personas.admin)
    for name in ("dashboard:caseload", "dashboard:casework", "dashboard:needs"):
        assert client.get(reverse(name)).status_code == 200, name


def test_help_form_stays_open_while_redis_is_down_with_a_limit_per_process(areas, redis_down):
    """Fail open, deliberately: a resident in need must still get through. The limit falls
    back to a count in each web process, so a flood is still cut off (per process)."""
    resident = Client(REMOTE_ADDR="10.1.1.1")
    for i in range(5):
        assert _help(resident, phone=f"1391234000{i}").status_code == 302
    assert _help(resident, phone="13912340009").status_code == 429
    assert Need.objects.count() == 5


def test_an_export_started_while_redis_is_down_runs_when_it_returns(
    client, personas, household, media, monkeypatch, redis_down, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 0)
    client.force_login(personas.admin)
    with deadline(5, "starting an export with Redis down"), capture(execute=True) as published:
        response = client.post(
            reverse("ledgers:export", args=["members"]), {"members-format": "csv"}
        )
    assert len(published) == 1  # the publish was tried, after the commit, and failed
    assert response.status_code == 302  # the job is recorded; the page does not fail
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.QUEUED
    assert client.get(reverse("ledgers:downloads")).status_code == 200

    redis_down.restart()  # back, and empty: the message never got there
    assert queued_messages(redis_down) == []
    ledger_export_requeue_task.apply()  # beat's sweep, a few minutes on
    assert queued_messages(redis_down) == []  # too soon: it may still be on its way
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=10))
    ledger_export_requeue_task.apply()
    (message,) = queued_messages(redis_down)
    assert message["task"] == ledger_export_task.name and message["args"] == [job.pk]
    ledger_export_requeue_task.apply()  # published once per sweep interval, not every minute
    assert len(queued_messages(redis_down)) == 1

    ledger_export_task.apply(args=message["args"])  # what the worker does with it
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.row_count == 2
    ledger_export_requeue_task.apply()
    assert len(queued_messages(redis_down)) == 1  # done: never published again


def test_a_tier_rule_change_while_redis_is_down_is_saved(
    client, personas, redis_down, django_capture_on_commit_callbacks
):
    """The rule is committed and the page answers; the recompute it would have asked for is
    the nightly job's (beat waits for Redis to send it, test below), and every visit re-tiers
    its own household at once."""
    rule = TierRule.objects.get(code="elderly_alone")
    client.force_login(personas.admin)
    with (
        deadline(5, "saving a tier rule with Redis down"),
        django_capture_on_commit_callbacks(execute=True) as published,
    ):
        response = client.post(
            reverse("cases:tier_rule_edit", args=[rule.uuid]),
            {
                "name": "75岁以上独居",
                "tier": "A",
                "interval_months": "1",
                "p_min_age": "75",
                "priority": "50",
                "active": "on",
                "version": str(rule.version),
            },
        )
    assert response.status_code == 302
    assert len(published) == 1
    rule.refresh_from_db()
    assert rule.params == {"min_age": 75}


def test_beat_sends_the_nightly_job_once_redis_returns(on_redis):
    """Beat marks an entry run before sending it: a send that gives up loses the night."""
    from celery.beat import Scheduler

    from config.celery import app

    scheduler = Scheduler(app=app, lazy=True)
    scheduler.setup_schedule()
    entry = scheduler.schedule["cases-followups-schedule"]
    # Beat has been up and sending (the requeue sweep goes every minute) before Redis fails.
    producer = scheduler.producer
    scheduler.apply_entry(scheduler.schedule["ledger-export-requeue"], producer)
    assert len(queued_messages(on_redis)) == 1
    on_redis.crash()
    sender = threading.Thread(target=scheduler.apply_entry, args=(entry, producer), daemon=True)
    sender.start()
    time.sleep(2.5)  # longer than the default publish retries (about one second)
    on_redis.restart()
    sender.join(timeout=20)
    assert not sender.is_alive()
    (message,) = queued_messages(on_redis)
    assert message["task"] == "cases.followups_schedule" and message["args"] == []


def test_pages_answer_while_redis_hangs(
    client, personas, household, media, monkeypatch, on_redis, django_capture_on_commit_callbacks
):
    """A hung Redis (SIGSTOP here; a partition, a full disk) takes connections, never answers."""
    monkeypatch.setattr(exports, "SYNC_ROW_LIMIT", 0)
    client.force_login(personas.admin)
    assert client.get(reverse("dashboard:casework")).status_code == 200  # connected first
    on_redis.signal(signal.SIGSTOP)
    started = time.monotonic()
    with deadline(10, "pages with Redis hung"):
        for name in ("dashboard:caseload", "dashboard:casework", "dashboard:needs"):
            assert client.get(reverse(name)).status_code == 200, name
        assert _help(Client(REMOTE_ADDR="10.1.1.2")).status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("ledgers:export", args=["members"]), {"members-format": "csv"}
            )
        assert response.status_code == 302
    # One cache timeout (1 s), then the cache is left alone; two publish timeouts (2 s each).
    assert time.monotonic() - started < 9  # without the timeouts: forever
    assert ExportJob.objects.get().status == ExportJob.Status.QUEUED
    on_redis.signal(signal.SIGCONT)
