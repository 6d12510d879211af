"""The demo's applications: every step there, some past their limit, the same for a seed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from applications.models import Application, CalendarDay, Responsibility

pytestmark = pytest.mark.django_db


def test_the_demo_has_applications_at_every_step():
    call_command(
        "seed_demo", households=1000, seed=3, today=dt.date(2026, 3, 16), stdout=io.StringIO()
    )
    assert Responsibility.objects.count() == 5
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"received", "accepted", "investigating", "publicised", "approved", "rejected"} <= (
        statuses
    )
    approved = Application.objects.get(status="approved")
    assert approved.enrolment.status == "approved"
    assert Application.objects.filter(due_on__lt=dt.date(2026, 3, 16)).exists()
    assert Application.objects.filter(moved_from__isnull=False).exists()
    # The demo invents no official calendar: a year the package lacks is the admin's to enter.
    assert not CalendarDay.objects.filter(day__year__gte=2027).exists()
