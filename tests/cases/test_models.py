"""What the database itself enforces for case work."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import FollowUp, TierRule

pytestmark = pytest.mark.django_db


def test_one_open_follow_up_per_household_but_any_number_closed(household):
    today = timezone.localdate()
    FollowUp.objects.create(household=household, due=today, tier="C")
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(household=household, due=today, tier="A")
    FollowUp.objects.create(household=household, due=today, tier="C", status="done")
    FollowUp.objects.create(household=household, due=today, tier="C", status="cancelled")
    assert FollowUp.objects.filter(household=household).count() == 3


@pytest.mark.parametrize("months", [0, 25])
def test_tier_rule_interval_is_between_1_and_24_months(months):
    with pytest.raises(IntegrityError), transaction.atomic():
        TierRule.objects.create(code="active_household", name="x", tier="C", interval_months=months)
