"""Test data through the real services, so setup obeys the same invariants as the app."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from households import idnumber, services
from households.models import Area, Category, Enrolment, Household, Member, User

_sequence = itertools.count(1)


def id_number(
    *, birth: dt.date = dt.date(1960, 5, 17), sex: str = "M", region: str = "320506"
) -> str:
    """A fresh valid identity number; unique within a test run."""
    n = next(_sequence)
    seq = (n * 2 + (1 if sex == "M" else 0)) % 1000
    day = birth + dt.timedelta(days=n // 500)
    return idnumber.compose(region, day, seq)


def id_number_born_on(birth: dt.date, *, sex: str = "M") -> str:
    """A fresh valid identity number born exactly on `birth`, for tests of age rules.

    `id_number` keeps numbers unique by moving the birth date a day every 500 numbers, so
    late in a whole run its dates drift; this one keeps the date and moves the region's
    last digits instead.
    """
    n = next(_sequence)
    seq = (n * 2 + (1 if sex == "M" else 0)) % 1000
    region = "32" + f"{(506 + n // 500) % 10000:04d}"
    return idnumber.compose(region, birth, seq)


def area(code: str, name: str, level: str, parent: Area | None = None) -> Area:
    return Area.objects.create(
        code=code, name=name, level=level, parent=parent, prefix=Area.prefix_of(code, level)
    )


def user(username: str, *, role: str, area: Area | None, **extra: Any) -> User:
    return User.objects.create_user(
        username=username,
        password="pw-" + username,
        role=role,
        area=area,
        display_name=extra.pop("display_name", username),
        **extra,
    )


def member_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "张秀英",
        "id_number": id_number(),
        "relation": Member.Relation.SPOUSE,
        "health": Member.Health.HEALTHY,
        "labour_capacity": Member.LabourCapacity.FULL,
        "monthly_income": Decimal("0"),
    }
    data.update(overrides)
    return data


def household(
    *,
    area: Area,
    actor: User | None = None,
    address: str | None = None,
    head: dict[str, Any] | None = None,
    **extra: Any,
) -> Household:
    return services.household_create(
        actor=actor,
        area=area,
        address=address or f"幸福路{next(_sequence)}号",
        head=member_data(**{"name": "王建国", **(head or {})}),
        **extra,
    )


def member(*, household: Household, actor: User | None = None, **overrides: Any) -> Member:
    return services.member_add(actor=actor, household=household, data=member_data(**overrides))


def enrolment(
    *,
    household: Household,
    category: str = "dibao",
    approve: bool = True,
    start: dt.date = dt.date(2026, 1, 1),
    **extra: Any,
) -> Enrolment:
    result = services.enrolment_apply(
        actor=None,
        household=household,
        category=Category.objects.get(code=category),
        start_date=start,
        **extra,
    )
    if approve:
        result = services.enrolment_approve(actor=None, enrolment=result)
    return result
