"""Case-work test data, made through the real services like the rest of the suite."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cases import services
from cases.models import FollowUp, Visit
from households.models import Household, User

SHANGHAI = timezone.get_default_timezone()


def local(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware datetime at this local (Asia/Shanghai) wall-clock time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def visit(*, household: Household, actor: User, on: dt.date | None = None, **extra: Any) -> Visit:
    return services.visit_log(
        actor=actor,
        household=household,
        method=extra.pop("method", Visit.Method.HOME),
        visited_at=extra.pop("visited_at", None) or local(on or days_ago(1)),
        **extra,
    )


def open_followup(household: Household) -> FollowUp | None:
    return FollowUp.objects.filter(household=household, status=FollowUp.Status.OPEN).first()


def snapshot() -> list[tuple]:
    """The whole schedule: every household's tier and its open follow-up, comparable."""
    tiers = list(Household.objects.order_by("id").values_list("id", "tier", "tier_reason"))
    followups = list(
        FollowUp.objects.filter(status=FollowUp.Status.OPEN)
        .order_by("household_id")
        .values_list("household_id", "due", "tier", "rule_id", "assignee_id", "overdue")
    )
    return [tiers, followups]


def add_months(day: dt.date, months: int) -> dt.date:
    """PostgreSQL's date + interval 'n months': the same day, or the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise AssertionError(day)
