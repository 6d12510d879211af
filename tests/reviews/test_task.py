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
