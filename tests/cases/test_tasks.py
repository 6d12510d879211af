"""The nightly job as Celery runs it, its one beat entry, and the management commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import FollowUp, Visit
from cases.tasks import followups_schedule_task
from config.celery import app
from tests import factories
from tests.factories import open_followup

pytestmark = pytest.mark.django_db


def test_task_runs_the_schedule_and_is_idempotent(household):
    first = followups_schedule_task.delay().get()
    assert first["households"] == 1 and first["rows_changed"] == 2  # tier + follow-up
    assert open_followup(household) is not None
    again = followups_schedule_task.delay().get()
    assert again["rows_changed"] == 0


def test_exactly_one_beat_entry_schedules_the_job_nightly():
    entries = [
        entry
        for entry in app.conf.beat_schedule.values()
        if entry["task"] == "cases.followups_schedule"
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert (schedule.hour, schedule.minute) == ({2}, {30})
    assert app.conf.timezone == "Asia/Shanghai"
    assert "cases.followups_schedule" in app.tasks


def test_schedule_followups_command(household):
    out = StringIO()
    call_command("schedule_followups", "--chunk-size", "1", stdout=out)
    assert "1 户，1 批" in out.getvalue()
    assert FollowUp.objects.filter(status="open").count() == 1
    out = StringIO()
    call_command("schedule_followups", stdout=out)
    assert "分层变更 0，新建跟进 0，更新 0，取消 0" in out.getvalue()


def test_schedule_followups_command_takes_a_date(household):
    call_command("schedule_followups", "--today", "2031-01-01", stdout=StringIO())
    assert open_followup(household).overdue is True


def test_seed_visits_writes_local_dates_and_is_reproducible(areas, personas):
    homes = [factories.household(area=areas.grid, worker=personas.caseworker) for _ in range(3)]
    out = StringIO()
    call_command("seed_visits", "--per-household", "4", "--seed", "7", "--days", "60", stdout=out)
    assert Visit.objects.count() == 12
    for visit in Visit.objects.all():
        assert visit.visit_date == timezone.localdate(visit.visited_at)
        assert visit.visited_at <= timezone.now()
        assert visit.worker == personas.caseworker
    first = sorted(Visit.objects.values_list("household_id", "visited_at", "method"))
    call_command("seed_visits", "--per-household", "4", "--if-empty", stdout=out)
    assert Visit.objects.count() == 12
    Visit.objects.all().delete()
    call_command("seed_visits", "--per-household", "4", "--seed", "7", "--days", "60", stdout=out)
    again = sorted(Visit.objects.values_list("household_id", "visited_at", "method"))
    assert [(h, m) for h, _at, m in again] == [(h, m) for h, _at, m in first]
    assert {h.pk for h in homes} == {h for h, _at, _m in again}
