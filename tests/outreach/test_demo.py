"""The demo's 政策找人: policies with rules, leads the screening found, some already worked."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from outreach.models import Lead, PolicyRule
from outreach.services import outreach_screen

pytestmark = pytest.mark.django_db


def test_the_demo_has_rules_leads_worked_and_a_quiet_second_run():
    out = io.StringIO()
    day = dt.date(2026, 3, 15)
    call_command("seed_demo", households=300, seed=1, today=day, stdout=out)
    assert "政策找人：认定条件" in out.getvalue()
    assert PolicyRule.objects.values("policy").distinct().count() >= 6
    states = set(Lead.objects.values_list("state", flat=True))
    assert states == {Lead.State.OPEN, Lead.State.ACTED, Lead.State.DISMISSED}
    acted = Lead.objects.filter(state=Lead.State.ACTED).select_related("referral").first()
    assert acted.referral.resource_id == acted.policy_id
    again = outreach_screen(today=day)
    assert (again.leads_changed, again.leads_removed, again.flags_changed) == (0, 0, 0)
