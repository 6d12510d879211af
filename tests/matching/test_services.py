import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.errors import ApplicationError, StaleVersionError
from core.models import AuditEvent
from matching import services
from matching.models import Need, Referral
from resources.models import ResourceUsage, StockMovement
from tests import factories
from tests.factories import need as make_need

pytestmark = pytest.mark.django_db


def _used(resource) -> int:
    usage = ResourceUsage.objects.filter(resource=resource).first()
    return usage.used if usage else 0


def _stock(resource) -> int:
    resource.refresh_from_db(fields=["stock"])
    return resource.stock


# ---- needs -----------------------------------------------------------------------------


def test_need_create_records_who_and_audits(personas, household):
    need = services.need_create(
        actor=personas.caseworker, household=household, type="care", subtype="companionship"
    )
    assert need.status == Need.Status.OPEN
    assert need.created_by == personas.caseworker
    event = AuditEvent.objects.get(verb="need.create")
    assert event.household_id == household.pk and event.actor == personas.caseworker


def test_need_create_rejects_a_subtype_of_another_type(personas, household):
    with pytest.raises(ValidationError) as error:
        services.need_create(
            actor=personas.caseworker, household=household, type="care", subtype="schooling"
        )
    assert "subtype" in error.value.message_dict


def test_need_create_rejects_a_member_of_another_household(personas, household, far_household):
    stranger = far_household.head
    with pytest.raises(ValidationError) as error:
        services.need_create(
            actor=personas.caseworker,
            household=household,
            type="care",
            subtype="companionship",
            member=stranger,
        )
    assert "member" in error.value.message_dict


@pytest.mark.parametrize("who", ["viewer", "provider"])
def test_need_create_refuses_readers_and_providers(personas, household, who):
    with pytest.raises(PermissionDenied):
        services.need_create(
            actor=getattr(personas, who), household=household, type="care", subtype="other"
        )


def test_need_close_needs_a_reason_and_no_active_referral(personas, household, pool):
    need = make_need(household=household)
    services.referral_propose(actor=personas.caseworker, need=need, resource=pool.cleaning)
    with pytest.raises(ApplicationError):
        services.need_close(actor=personas.caseworker, need=need, reason="已搬走")
    other = make_need(household=household, subtype="companionship")
    with pytest.raises(ValidationError):
        services.need_close(actor=personas.caseworker, need=other, reason=" ")
    closed = services.need_close(actor=personas.caseworker, need=other, reason="已搬走")
    assert closed.status == Need.Status.CLOSED and closed.closed_by == personas.caseworker


def test_need_close_refuses_a_stale_version(personas, household):
    need = make_need(household=household)
    with pytest.raises(StaleVersionError):
        services.need_close(
            actor=personas.caseworker, need=need, reason="x", expected_version=need.version + 1
        )


# ---- 一键求助 ------------------------------------------------------------------------------


def test_help_request_lands_unverified_in_the_community_inbox(areas):
    need = services.help_request_submit(
        phone="13912345678", area=areas.community, type="survival", subtype="living"
    )
    assert need.status == Need.Status.UNVERIFIED
    assert need.household is None and need.area_code == areas.community.prefix
    assert need.source == Need.Source.SELF_REQUEST


def test_help_request_must_name_a_community(areas):
    with pytest.raises(ValidationError):
        services.help_request_submit(
            phone="13912345678", area=areas.street, type="survival", subtype="living"
        )


def test_verify_ties_the_request_to_a_household(areas, personas, household):
    request = services.help_request_submit(
        phone="13912345678", area=areas.community, type="survival", subtype="living"
    )
    need = services.need_verify(
        actor=personas.caseworker, need=request, household=household, urgency=3
    )
    assert need.status == Need.Status.OPEN
    assert need.household == household and need.urgency == 3
    assert need.verified_by == personas.caseworker and need.verified_at
    with pytest.raises(ApplicationError):
        services.need_verify(actor=personas.caseworker, need=need, household=household)


def test_discard_closes_the_request_with_its_reason(areas, personas):
    request = services.help_request_submit(
        phone="13912345678", area=areas.community, type="survival", subtype="living"
    )
    with pytest.raises(ValidationError):
        services.need_discard(actor=personas.caseworker, need=request, reason="")
    need = services.need_discard(actor=personas.caseworker, need=request, reason="重复求助")
    assert need.status == Need.Status.CLOSED and need.close_reason == "重复求助"


# ---- referrals: the lifecycle ----------------------------------------------------------


def test_the_whole_loop_records_every_step(personas, household, pool):
    need = make_need(household=household)
    referral = services.referral_propose(
        actor=personas.caseworker, need=need, resource=pool.cleaning, note="周三上午"
    )
    assert referral.status == Referral.Status.PROPOSED
    assert referral.provider == pool.care_org and referral.household == household
    assert referral.proposed_by == personas.caseworker and referral.proposed_at
    assert {code for code, _p, _a in referral.reasons} >= {"subtype", "open", "level12"}
    assert Need.objects.get(pk=need.pk).status == Need.Status.MATCHED
    assert _used(pool.cleaning) == 1

    referral = services.referral_accept(actor=personas.provider, referral=referral)
    assert referral.decided_by == personas.provider and referral.decided_at
    assert Need.objects.get(pk=need.pk).status == Need.Status.IN_PROGRESS

    referral = services.referral_deliver(
        actor=personas.provider, referral=referral, note="已打扫", delivered_on=timezone.localdate()
    )
    assert referral.status == Referral.Status.DELIVERED
    assert referral.delivered_by == personas.provider and referral.delivered_quantity == 1

    referral = services.referral_confirm(
        actor=personas.caseworker, referral=referral, outcome="met", satisfaction=5
    )
    assert referral.confirmed_by == personas.caseworker and referral.confirmed_at
    need.refresh_from_db()
    assert need.status == Need.Status.MET and need.met_at

    referral = services.referral_close(actor=personas.caseworker, referral=referral)
    assert referral.status == Referral.Status.CLOSED and referral.closed_by == personas.caseworker
    verbs = list(
        AuditEvent.objects.filter(object_type="matching.referral").values_list("verb", flat=True)
    )
    assert verbs == [
        "referral.propose",
        "referral.accept",
        "referral.deliver",
        "referral.confirm",
        "referral.close",
    ]


def test_decline_gives_the_units_back_and_reopens_the_need(personas, household, pool):
    need = make_need(household=household)
    referral = services.referral_propose(
        actor=personas.caseworker, need=need, resource=pool.cleaning
    )
    with pytest.raises(ValidationError):
        services.referral_decline(actor=personas.provider, referral=referral, reason="")
    referral = services.referral_decline(
        actor=personas.provider, referral=referral, reason="人手不足"
    )
    assert referral.status == Referral.Status.DECLINED and referral.decline_reason == "人手不足"
    assert _used(pool.cleaning) == 0
    assert Need.objects.get(pk=need.pk).status == Need.Status.OPEN


def test_goods_are_issued_on_proposal_and_returned_on_withdrawal(personas, household, pool):
    factories.enrolment(household=household, category="dibao")
    need = make_need(household=household, type="survival", subtype="goods", quantity=3)
    referral = services.referral_propose(actor=personas.caseworker, need=need, resource=pool.quilts)
    assert referral.quantity == 3 and _stock(pool.quilts) == 7
    services.referral_cancel(actor=personas.caseworker, referral=referral, reason="家属已送")
    assert _stock(pool.quilts) == 10
    kinds = list(
        StockMovement.objects.filter(resource=pool.quilts)
        .order_by("id")
        .values_list("kind", "quantity")
    )
    assert kinds == [("received", 10), ("given", 3), ("returned", 3)]


def test_delivering_less_returns_the_rest(personas, household, pool):
    need = make_need(household=household, type="survival", subtype="goods", quantity=4)
    referral = services.referral_propose(actor=personas.caseworker, need=need, resource=pool.quilts)
    # The shop has no account: the worker records its steps on its behalf.
    services.referral_accept(actor=personas.caseworker, referral=referral)
    with pytest.raises(ValidationError):
        services.referral_deliver(actor=personas.caseworker, referral=referral, quantity=5)
    services.referral_deliver(actor=personas.caseworker, referral=referral, quantity=3)
    assert _stock(pool.quilts) == 7


def test_delivery_date_cannot_be_in_the_future(personas, household, pool):
    need = make_need(household=household)
    referral = services.referral_propose(
        actor=personas.caseworker, need=need, resource=pool.cleaning
    )
    services.referral_accept(actor=personas.provider, referral=referral)
    with pytest.raises(ValidationError):
        services.referral_deliver(
            actor=personas.provider,
            referral=referral,
            delivered_on=timezone.localdate() + dt.timedelta(days=1),
        )


def test_a_need_not_met_is_open_again_after_confirmation(personas, household, pool):
    need = make_need(household=household)
    referral = services.referral_propose(
        actor=personas.caseworker, need=need, resource=pool.cleaning
    )
    services.referral_accept(actor=personas.provider, referral=referral)
    services.referral_deliver(actor=personas.provider, referral=referral)
    services.referral_confirm(
        actor=personas.caseworker, referral=referral, outcome="not_met", satisfaction=2
    )
    assert Need.objects.get(pk=need.pk).status == Need.Status.OPEN


def test_steps_out_of_order_are_refused(personas, household, pool):
    need = make_need(household=household)
    referral = services.referral_propose(
        actor=personas.caseworker, need=need, resource=pool.cleaning
    )
    with pytest.raises(ApplicationError):
        services.referral_deliver(actor=personas.provider, referral=referral)
    with pytest.raises(ApplicationError):
        services.referral_confirm(actor=personas.caseworker, referral=referral, outcome="met")


def test_another_providers_user_cannot_act_on_the_referral(areas, personas, household, pool):
    from resources.services import provider_account_link

    other = factories.user("other_provider", role="provider", area=areas.community)
    provider_account_link(actor=None, provider=pool.shop, user=other)
    need = make_need(household=household)
    referral = services.referral_propose(
        actor=personas.caseworker, need=need, resource=pool.cleaning
    )
    with pytest.raises(PermissionDenied):
        services.referral_accept(actor=other, referral=referral)


@pytest.mark.parametrize("who", ["viewer", "provider"])
def test_only_workers_confirm(personas, household, pool, who):
    need = make_need(household=household)
    referral = services.referral_propose(
        actor=personas.caseworker, need=need, resource=pool.cleaning
    )
    services.referral_accept(actor=personas.provider, referral=referral)
    services.referral_deliver(actor=personas.provider, referral=referral)
    with pytest.raises(PermissionDenied):
        services.referral_confirm(actor=getattr(personas, who), referral=referral, outcome="met")


def test_propose_refuses_a_resource_that_does_not_fit(personas, household, pool):
    need = make_need(household=household, type="survival", subtype="medical")
    # 医疗救助 is for 低保/特困 only; this household has no enrolment.
    with pytest.raises(ValidationError):
        services.referral_propose(actor=personas.caseworker, need=need, resource=pool.medical)
    # Meals serve another street.
    with pytest.raises(ValidationError):
        services.referral_propose(
            actor=personas.caseworker, need=make_need(household=household), resource=pool.meals
        )


def test_propose_refuses_when_capacity_is_used_up(personas, household, pool):
    for i in range(5):
        member = factories.member(household=household, name=f"成员{i}")
        services.referral_propose(
            actor=personas.caseworker,
            need=make_need(household=household, member=member),
            resource=pool.cleaning,
        )
    with pytest.raises(ApplicationError):
        services.referral_propose(
            actor=personas.caseworker, need=make_need(household=household), resource=pool.cleaning
        )
    assert _used(pool.cleaning) == 5


def test_capacity_is_counted_per_period(personas, household, pool):
    last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    services.referral_propose(
        actor=personas.caseworker,
        need=make_need(household=household),
        resource=pool.cleaning,
        on=last_month,
    )
    services.referral_propose(
        actor=personas.caseworker, need=make_need(household=household), resource=pool.cleaning
    )
    assert sorted(
        ResourceUsage.objects.filter(resource=pool.cleaning).values_list("used", flat=True)
    ) == [1, 1]


def test_the_same_need_cannot_be_referred_twice_to_one_resource(personas, household, pool):
    need = make_need(household=household)
    services.referral_propose(actor=personas.caseworker, need=need, resource=pool.cleaning)
    with pytest.raises(ValidationError):
        services.referral_propose(actor=personas.caseworker, need=need, resource=pool.cleaning)
    assert _used(pool.cleaning) == 1
