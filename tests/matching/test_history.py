"""History of needs, referrals, runs, campaigns and stock movements: who, when and what.

The triggers are statement-level (one history INSERT … SELECT per statement), so a batch run's
tens of thousands of rows are kept at the cost of one statement each; these tests check that
every row still gets its own event, with the context (user or job) that made it.
"""

import pghistory.models
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from matching import services
from matching.models import (
    CampaignEvent,
    MatchRunEvent,
    Need,
    NeedEvent,
    Referral,
    ReferralEvent,
)
from resources.models import StockMovementEvent
from tests import factories
from tests.factories import need as make_need

pytestmark = pytest.mark.django_db


def _labels(events, obj):
    return [e.pgh_label for e in events.objects.filter(pgh_obj_id=obj.pk).order_by("pgh_id")]


def test_a_needs_life_is_kept_step_by_step(personas, household):
    need = make_need(household=household)
    services.need_close(actor=personas.caseworker, need=need, reason="已由亲属解决")
    events = list(NeedEvent.objects.filter(pgh_obj_id=need.pk).order_by("pgh_id"))
    assert [(e.pgh_label, e.status) for e in events] == [("insert", "open"), ("update", "closed")]
    assert events[1].close_reason == "已由亲属解决"
    assert events[1].closed_by_id == personas.caseworker.pk


def test_a_batch_run_keeps_one_event_per_row_it_writes(personas, areas, pool):
    homes = [factories.household(area=areas.grid) for _ in range(4)]
    needs = [make_need(household=h) for h in homes]
    goods = make_need(household=homes[0], type="survival", subtype="goods", quantity=2)
    with pghistory.context(job="match_run"):
        run = services.match_run(actor=personas.supervisor, area=areas.street)
    made = Referral.objects.filter(match_run=run)
    assert run.referrals_made == made.count() == 5
    inserted = ReferralEvent.objects.filter(pgh_label="insert", match_run_id=run.pk)
    assert sorted(inserted.values_list("pgh_obj_id", flat=True)) == sorted(
        made.values_list("pk", flat=True)
    )
    for need in [*needs, goods]:
        assert _labels(NeedEvent, need) == ["insert", "update"]
        assert NeedEvent.objects.filter(pgh_obj_id=need.pk).last().status == "matched"
    assert _labels(MatchRunEvent, run) == ["insert", "update"]
    given = StockMovementEvent.objects.filter(
        resource_id=pool.quilts.pk, pgh_label="insert", kind="given"
    )
    assert given.count() == 1 and given.get().quantity == 2
    contexts = {e.pgh_context.metadata.get("job") for e in inserted.select_related("pgh_context")}
    assert contexts == {"match_run"}


def test_a_run_that_changes_nothing_leaves_no_need_events(personas, areas, pool):
    need = make_need(household=factories.household(area=areas.far))
    services.match_run(actor=personas.caseworker, area=areas.community)
    assert _labels(NeedEvent, need) == ["insert"]


def test_a_providers_step_over_the_api_is_kept_with_who_did_it(personas, household, pool):
    need = make_need(household=household)
    referral = services.referral_propose(
        actor=personas.caseworker, need=need, resource=pool.cleaning
    )
    client = APIClient()
    client.force_login(personas.provider)
    url = reverse("api-matching:referral-accept", args=[referral.uuid])
    assert client.post(url).status_code == 200
    accepted = ReferralEvent.objects.filter(pgh_obj_id=referral.pk).order_by("pgh_id").last()
    assert accepted.status == Referral.Status.ACCEPTED
    context = pghistory.models.Context.objects.get(pk=accepted.pgh_context_id)
    assert context.metadata["user"] == personas.provider.pk
    assert context.metadata["url"] == url
    need_events = NeedEvent.objects.filter(pgh_obj_id=need.pk).order_by("pgh_id")
    assert need_events.last().status == Need.Status.IN_PROGRESS
    assert need_events.last().pgh_context_id == accepted.pgh_context_id


def test_a_campaign_is_kept(personas, areas, pool, household):
    campaign = services.campaign_run(
        actor=personas.supervisor,
        name="寒冬送温暖",
        resource=pool.quilts,
        area=areas.street,
        groups=[{"category": "tekun"}],
    )
    events = CampaignEvent.objects.filter(pgh_obj_id=campaign.pk).order_by("pgh_id")
    assert events.first().pgh_label == "insert"
    assert events.last().households_targeted == campaign.households_targeted
