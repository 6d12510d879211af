"""History (issue 6) of case work: who changed a visit, follow-up, alert, rule or service, when.

Kept by django-pghistory's triggers, so the nightly job's set-based upsert is recorded too;
a run that changes nothing must write no history rows.
"""

from __future__ import annotations

import pghistory.models
import pytest
from django.utils import timezone

from cases import services
from cases.models import (
    FollowUp,
    FollowUpEvent,
    HardshipAlert,
    HardshipAlertEvent,
    ServiceActivityEvent,
    TierRule,
    TierRuleEvent,
    Visit,
    VisitEvent,
)
from tests import factories
from tests.factories import days_ago, local

pytestmark = pytest.mark.django_db


def _events(model) -> list[tuple[str, int]]:
    return list(model.objects.order_by("pgh_id").values_list("pgh_label", "pgh_obj_id"))


def test_a_logged_visit_keeps_who_and_when(household, personas):
    visit = services.visit_log(
        actor=personas.caseworker,
        household=household,
        method=Visit.Method.HOME,
        visited_at=local(days_ago(1)),
    )
    event = VisitEvent.objects.get(pgh_obj_id=visit.pk)
    assert (event.pgh_label, event.method, event.worker_id) == (
        "insert",
        "home",
        personas.caseworker.pk,
    )
    assert event.pgh_created_at <= timezone.now()
    # The follow-up the visit completed (or created) is in history too.
    assert FollowUpEvent.objects.filter(household_id=household.pk).exists()


def test_nightly_job_history_records_each_change_once_and_a_rerun_none(household, personas):
    factories.enrolment(household=household, category="dibao")
    first = services.followups_schedule()
    assert first.created == 1
    followup = FollowUp.objects.get(household=household, status=FollowUp.Status.OPEN)
    assert _events(FollowUpEvent) == [("insert", followup.pk)]
    contexts = pghistory.models.Context.objects.filter(
        pk__in=FollowUpEvent.objects.values("pgh_context_id")
    )
    assert [c.metadata.get("job") for c in contexts] == ["followups_schedule"]

    before = FollowUpEvent.objects.count()
    again = services.followups_schedule()
    assert again.rows_changed == 0
    assert FollowUpEvent.objects.count() == before


def test_reassignment_and_alerts_are_kept(household, personas, areas):
    services.followups_schedule()
    followup = FollowUp.objects.get(household=household, status=FollowUp.Status.OPEN)
    teammate = personas.teammate
    services.followup_reassign(actor=personas.supervisor, followup=followup, assignee=teammate)
    last = FollowUpEvent.objects.filter(pgh_obj_id=followup.pk).latest("pgh_id")
    assert (last.pgh_label, last.assignee_id, last.reassigned) == ("update", teammate.pk, True)

    alert = services.hardship_alert_record(
        actor=personas.caseworker, household=household, kind="illness", occurred_on=days_ago(0)
    )
    services.hardship_alert_resolve(actor=personas.caseworker, alert=alert)
    labels = [label for label, _obj in _events(HardshipAlertEvent)]
    assert labels == ["insert", "update"]
    resolved = HardshipAlertEvent.objects.latest("pgh_id")
    assert resolved.resolved_by_id == personas.caseworker.pk
    assert HardshipAlert.objects.get(pk=alert.pk).resolved_at == resolved.resolved_at


def test_rule_changes_and_services_are_kept(personas, areas):
    rule = TierRule.objects.get(code="active_household")
    services.tier_rule_update(actor=personas.admin, rule=rule, data={"interval_months": 5})
    event = TierRuleEvent.objects.filter(pgh_obj_id=rule.pk).latest("pgh_id")
    assert (event.pgh_label, event.interval_months) == ("update", 5)

    activity = services.service_activity_record(
        actor=personas.caseworker,
        kind="group",
        date=days_ago(2),
        area=areas.community,
        title="读书小组",
        sessions=2,
        attendees=8,
        person_times=16,
    )
    assert _events(ServiceActivityEvent) == [("insert", activity.pk)]
