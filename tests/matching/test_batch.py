"""The batch run and one need's suggestions, against the database."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from matching import services
from matching.candidates import need_suggestions, referral_reasons
from matching.models import MatchRun, Need, Referral
from resources.models import ResourceUsage
from tests import factories
from tests.factories import need as make_need
from tests.factories import resource as make_resource

pytestmark = pytest.mark.django_db


def test_suggestions_rank_with_reasons_and_leave_out_what_does_not_fit(
    personas, household, pool, areas
):
    grid_helper = make_resource(
        provider=pool.care_org, area=areas.grid, name="网格助老员", capacity=3
    )
    need = make_need(household=household)
    rows = need_suggestions(need, today=timezone.localdate())
    assert [row.info.name for row in rows] == ["网格助老员", "居家保洁"]
    first = rows[0]
    assert first.resource.id == grid_helper.pk
    texts = [text for text, _points in first.reasons]
    assert "对口“生活照料”需求" in texts
    assert "同网格资源（十分钟服务圈）" in texts
    assert "本期剩余名额 3/3" in texts
    assert first.suggestion.score == sum(points for _text, points in first.reasons)


def test_suggestions_follow_eligibility(personas, household, pool):
    need = make_need(household=household, type="survival", subtype="medical")
    assert need_suggestions(need, today=timezone.localdate()) == []
    factories.enrolment(household=household, category="dibao")
    rows = need_suggestions(need, today=timezone.localdate())
    assert [row.info.name for row in rows] == ["医疗救助"]
    assert "符合对象：低保" in [text for text, _p in rows[0].reasons]


def test_suggestions_leave_out_resources_already_referred_and_used_up(personas, household, pool):
    need = make_need(household=household)
    services.referral_propose(actor=personas.caseworker, need=need, resource=pool.cleaning)
    assert need_suggestions(need, today=timezone.localdate()) == []


def test_suggestions_leave_out_unavailable_resources(personas, household, pool):
    from resources.services import resource_update

    resource_update(actor=None, resource=pool.cleaning, data={"active": False})
    assert need_suggestions(make_need(household=household), today=timezone.localdate()) == []


def test_suggestions_read_in_a_fixed_number_of_queries(
    personas, household, pool, areas, django_assert_num_queries
):
    for i in range(8):
        make_resource(provider=pool.care_org, area=areas.grid, name=f"助老{i}")
    need = make_need(household=household)
    with django_assert_num_queries(3):
        rows = need_suggestions(need, today=timezone.localdate())
    assert len(rows) == 9


def test_batch_run_never_gives_more_than_capacity(personas, areas, pool):
    homes = [factories.household(area=areas.grid) for _ in range(8)]
    needs = [make_need(household=h, urgency=1 + i % 4) for i, h in enumerate(homes)]
    run = services.match_run(actor=personas.caseworker, area=areas.community)
    assert run.needs_considered == 8
    assert run.referrals_made == 5 and run.unmatched == 3
    assert ResourceUsage.objects.get(resource=pool.cleaning).used == 5
    matched = set(Need.objects.filter(status="matched").values_list("id", flat=True))
    # The most urgent go first: every 危急 and 紧急 need is among the five.
    assert {n.pk for n in needs if n.urgency >= 3} <= matched
    referral = Referral.objects.filter(match_run=run).first()
    assert referral.proposed_by == personas.caseworker and referral.score > 0
    assert MatchRun.objects.get().referrals_made == 5
    # A run keeps scores only; the reasons are worked out again when someone looks.
    texts = [text for text, _p in referral_reasons(referral, today=timezone.localdate())]
    assert "对口“生活照料”需求" in texts


def test_batch_run_referrals_copy_the_needs_household_and_the_resources_provider(
    personas, areas, pool
):
    homes = [factories.household(area=areas.grid) for _ in range(3)]
    for home in homes:
        make_need(household=home)
        make_need(household=home, type="survival", subtype="goods")
    run = services.match_run(actor=personas.caseworker, area=areas.community)
    made = Referral.objects.filter(match_run=run).select_related("need", "resource")
    assert made.count() == run.referrals_made >= 4
    for referral in made:
        assert referral.household_id == referral.need.household_id
        assert referral.provider_id == referral.resource.provider_id
        assert referral.need.status == Need.Status.MATCHED


def test_batch_run_takes_goods_stock_and_records_issues(personas, areas, pool):
    homes = [factories.household(area=areas.grid) for _ in range(3)]
    for home in homes:
        make_need(household=home, type="survival", subtype="goods", quantity=4)
    run = services.match_run(actor=personas.supervisor, area=areas.street)
    assert run.referrals_made == 2
    pool.quilts.refresh_from_db()
    assert pool.quilts.stock == 2
    given = pool.quilts.movements.filter(kind="given").select_related("referral")
    assert given.count() == 2
    for movement in given:
        assert movement.referral.match_run == run
        assert movement.referral.resource_id == pool.quilts.pk
        assert movement.quantity == movement.referral.quantity == 4
        assert movement.actor_id == personas.supervisor.pk


def test_batch_run_leaves_other_areas_alone(personas, areas, pool, far_household):
    make_need(household=far_household)
    run = services.match_run(actor=personas.caseworker, area=areas.community)
    assert run.needs_considered == 0
    assert Need.objects.get().status == Need.Status.OPEN


def test_batch_run_skips_needs_matched_meanwhile(personas, areas, pool, household, monkeypatch):
    from matching.services import batch

    need = make_need(household=household)
    real = batch.engine.allocate

    def someone_else_first(needs, resources):
        result = real(needs, resources)
        other = factories.household(area=areas.grid)
        services.referral_propose(actor=personas.teammate, need=need, resource=pool.cleaning)
        make_need(household=other)  # not seen by this run
        return result

    monkeypatch.setattr(batch.engine, "allocate", someone_else_first)
    run = services.match_run(actor=personas.caseworker, area=areas.community)
    assert run.referrals_made == 0 and run.lost_to_others == 1
    assert Referral.objects.filter(need=need).count() == 1
    assert ResourceUsage.objects.get(resource=pool.cleaning).used == 1


def test_batch_run_is_for_workers_inside_their_area(personas, areas):
    with pytest.raises(PermissionDenied):
        services.match_run(actor=personas.viewer, area=areas.community)
    with pytest.raises(ValidationError):
        services.match_run(actor=personas.caseworker, area=areas.far)
