"""What a social worker does, through the test client: log in, open households, log a visit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from households.models import Household, User


def login(client: Client, user: User) -> None:
    """A real login: the form, the password, the session (not force_login)."""
    page = client.get(reverse("login"))
    assert page.status_code == 200
    response = client.post(
        reverse("login"), {"username": user.username, "password": f"pw-{user.username}"}
    )
    assert response.status_code == 302, response.content.decode()[:500]


def visit_post(household: Household, **overrides: Any) -> dict[str, str]:
    """The visit form as a phone would send it: one finding, every member unchanged."""
    members = list(household.members.filter(status="active").order_by("created_at"))
    at = timezone.localtime() - dt.timedelta(minutes=5)
    if at.date() != timezone.localdate():
        at = at.replace(hour=0, minute=0)
    data = {
        "method": "home",
        "visit_date": at.date().isoformat(),
        "visit_time": at.strftime("%H:%M"),
        "companions": "",
        "needs_noted": "需要助餐服务",
        "living_status": "fair",
        "living_note": "冰箱里有菜",
        "m-TOTAL_FORMS": str(len(members)),
        "m-INITIAL_FORMS": str(len(members)),
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "1000",
        "n-TOTAL_FORMS": "0",
        "n-INITIAL_FORMS": "0",
        "n-MIN_NUM_FORMS": "0",
        "n-MAX_NUM_FORMS": "1000",
    }
    for i, member in enumerate(members):
        data.update(
            {
                f"m-{i}-member": str(member.uuid),
                f"m-{i}-status": member.status,
                f"m-{i}-health": member.health,
                f"m-{i}-illness": member.illness,
                f"m-{i}-employment": member.employment,
                f"m-{i}-monthly_income": str(member.monthly_income),
            }
        )
        if member.has_caregiver:
            data[f"m-{i}-has_caregiver"] = "on"
    data.update(overrides)
    return data


def social_worker_round(client: Client, household: Household) -> None:
    """Worklist → household → visit form → visit logged → household again; all must answer."""
    assert client.get(reverse("cases:worklist")).status_code == 200
    assert client.get(reverse("households:list")).status_code == 200
    detail = reverse("households:detail", args=[household.uuid])
    assert client.get(detail).status_code == 200
    form = reverse("cases:visit_log", args=[household.uuid])
    assert client.get(form).status_code == 200
    response = client.post(form, visit_post(household))
    assert response.status_code == 302, response.content.decode()[:800]
    assert response["Location"] == detail
    assert client.get(detail).status_code == 200
