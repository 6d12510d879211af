"""The nightly job keeps the review due dates, and a re-run changes nothing."""

from __future__ import annotations

import pytest

from cases.tasks import followups_schedule_task
from households.models import Enrolment
from tests import factories

pytestmark = pytest.mark.django_db


def test_nightly_job_sets_missing_review_dues_once(household, standard):
    e = factories.enrolment(household=household)
    Enrolment.objects.filter(pk=e.pk).update(review_due=None)
    first = followups_schedule_task.delay().get()
    assert first["review_dues_changed"] == 1
    e.refresh_from_db()
    assert e.review_due is not None
    again = followups_schedule_task.delay().get()
    assert again["review_dues_changed"] == 0


def test_schedule_command_keeps_review_dues_too(household, standard):
    from io import StringIO

    from django.core.management import call_command

    e = factories.enrolment(household=household)
    Enrolment.objects.filter(pk=e.pk).update(review_due=None)
    out = StringIO()
    call_command("schedule_followups", stdout=out)
    assert "复核日期更新 1 项" in out.getvalue()
    call_command("schedule_followups", stdout=(again := StringIO()))
    assert "复核日期更新 0 项" in again.getvalue()


# serialized_rollback, as every transactional test here: a plain flush re-creates the content
# types under new ids, and the next test that restores the serialized rows then collides.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_review_committed_while_the_job_waits_keeps_its_date(household, standard):
    """The job read the enrolment, then waited on its row while a review held it: when the
    review commits (a new version, a new date), the job's older reading must not overwrite it.
    Ordering comes from PostgreSQL's own lock wait, seen in pg_stat_activity, not from sleeps
    alone."""
    import datetime as dt
    import threading
    import time

    from django.db import connection, transaction
    from django.db.models import F

    from reviews.dues import keep_review_dues

    e = factories.enrolment(household=household)
    Enrolment.objects.filter(pk=e.pk).update(review_due=None)
    reviewed = dt.date(2030, 1, 1)
    locked = threading.Event()
    errors: list[BaseException] = []

    def review() -> None:
        try:
            with transaction.atomic():
                Enrolment.objects.select_for_update().get(pk=e.pk)
                locked.set()
                with connection.cursor() as cursor:
                    for _ in range(1000):
                        cursor.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            " AND datname = current_database()"
                        )
                        if cursor.fetchone()[0]:
                            break
                        time.sleep(0.01)
                Enrolment.objects.filter(pk=e.pk).update(
                    review_due=reviewed, version=F("version") + 1
                )
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=review)
    thread.start()
    assert locked.wait(10)
    with transaction.atomic():
        keep_review_dues()
    thread.join(10)
    assert not errors
    e.refresh_from_db()
    assert e.review_due == reviewed


def test_demo_seed_gives_the_demo_district_its_standard_once(areas):
    from reviews.defaults import ensure_demo_standard
    from reviews.models import Standard

    ensure_demo_standard()
    ensure_demo_standard()
    standard = Standard.objects.get()
    assert (standard.district, standard.dibao, str(standard.effective_date)) == (
        areas.district,
        1195,
        "2026-07-01",
    )
