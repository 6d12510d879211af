"""Pages of needs, referrals, the inbox, the portal and campaigns, through the test client."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from matching import services
from matching.models import Need, Referral
from tests import factories
from tests.factories import need as make_need

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def need(household, pool):
    return make_need(household=household, description="老人独居，需要打扫")


@pytest.fixture
def referral(personas, need, pool):
    return services.referral_propose(actor=personas.caseworker, need=need, resource=pool.cleaning)


def _delivered(personas, referral):
    services.referral_accept(actor=personas.provider, referral=referral)
    return services.referral_deliver(actor=personas.provider, referral=referral)


# ---- the household page ----------------------------------------------------------------


def test_household_page_shows_its_needs_and_a_record_button(client, personas, household, need):
    response = _as(client, personas.caseworker).get(
        reverse("households:detail", args=[household.uuid])
    )
    assert response.status_code == 200
    assert "需求与转介" in response.text and "关爱型·生活照料" in response.text
    assert reverse("matching:need_create", args=[household.uuid]) in response.text


def test_household_page_shows_a_delivery_waiting_for_confirmation(
    client, personas, household, referral
):
    _delivered(personas, referral)
    response = _as(client, personas.caseworker).get(
        reverse("households:detail", args=[household.uuid])
    )
    assert "待回访确认" in response.text


def test_household_page_for_auditor_has_no_record_button(client, personas, household, need):
    response = _as(client, personas.viewer).get(reverse("households:detail", args=[household.uuid]))
    assert "关爱型·生活照料" in response.text
    assert reverse("matching:need_create", args=[household.uuid]) not in response.text


# ---- recording a need ------------------------------------------------------------------


def test_need_create_page_records_a_need(client, personas, household):
    url = reverse("matching:need_create", args=[household.uuid])
    assert _as(client, personas.caseworker).get(url).status_code == 200
    response = client.post(
        url,
        {
            "type": "care",
            "subtype": "companionship",
            "urgency": "3",
            "source": "visit",
            "quantity": "1",
            "description": "需要陪伴",
            "member": "",
        },
    )
    need = Need.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:need", args=[need.uuid])
    assert need.created_by == personas.caseworker and need.urgency == 3


def test_need_create_page_shows_the_services_errors(client, personas, household):
    url = reverse("matching:need_create", args=[household.uuid])
    response = _as(client, personas.caseworker).post(
        url,
        {
            "type": "care",
            "subtype": "schooling",
            "urgency": "2",
            "source": "visit",
            "quantity": "1",
        },
    )
    assert response.status_code == 400
    assert "所选细类不属于该需求类型" in response.text
    assert not Need.objects.exists()


def test_need_create_page_out_of_scope_is_404(client, personas, far_household):
    url = reverse("matching:need_create", args=[far_household.uuid])
    assert _as(client, personas.caseworker).get(url).status_code == 404


def test_need_create_page_refuses_auditors(client, personas, household):
    url = reverse("matching:need_create", args=[household.uuid])
    assert _as(client, personas.viewer).get(url).status_code == 403


# ---- the need page ---------------------------------------------------------------------


def test_need_page_shows_suggestions_with_reasons_and_refer_buttons(client, personas, need):
    response = _as(client, personas.caseworker).get(reverse("matching:need", args=[need.uuid]))
    assert response.status_code == 200
    assert "居家保洁" in response.text
    assert "对口“生活照料”需求" in response.text and "本社区资源" in response.text
    assert reverse("matching:need_refer", args=[need.uuid]) in response.text


def test_need_page_for_auditor_reads_without_suggestions(client, personas, need):
    response = _as(client, personas.viewer).get(reverse("matching:need", args=[need.uuid]))
    assert response.status_code == 200
    assert "推荐资源" not in response.text


@pytest.mark.parametrize("who", ["outsider", "no_area", "provider"])
def test_need_page_is_404_for_those_who_do_not_see_the_household(client, personas, need, who):
    response = _as(client, getattr(personas, who)).get(reverse("matching:need", args=[need.uuid]))
    assert response.status_code == 404


def test_refer_creates_the_referral_and_goes_to_it(client, personas, need, pool):
    response = _as(client, personas.caseworker).post(
        reverse("matching:need_refer", args=[need.uuid]), {"resource": pool.cleaning.uuid}
    )
    referral = Referral.objects.get()
    assert response["Location"] == reverse("matching:referral", args=[referral.uuid])
    assert referral.proposed_by == personas.caseworker


def test_refer_to_a_full_resource_says_so(client, personas, need, pool, household):
    for _ in range(5):
        services.referral_propose(
            actor=None, need=make_need(household=household), resource=pool.cleaning
        )
    response = _as(client, personas.caseworker).post(
        reverse("matching:need_refer", args=[need.uuid]),
        {"resource": pool.cleaning.uuid},
        follow=True,
    )
    assert "名额或库存不足" in response.text
    assert not Referral.objects.filter(need=need).exists()


def test_refer_rejects_get_and_auditors(client, personas, need, pool):
    url = reverse("matching:need_refer", args=[need.uuid])
    assert _as(client, personas.caseworker).get(url).status_code == 405
    assert (
        _as(client, personas.viewer).post(url, {"resource": pool.cleaning.uuid}).status_code == 403
    )


def test_need_close_page(client, personas, need):
    url = reverse("matching:need_close", args=[need.uuid])
    _as(client, personas.caseworker).post(url, {"reason": "已由亲属照料"})
    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED


def test_need_list_has_fixed_queries(client, personas, areas, pool, django_assert_max_num_queries):
    for _ in range(3):
        make_need(household=factories.household(area=areas.grid))
    _as(client, personas.caseworker)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("matching:needs"))
    for _ in range(10):
        make_need(household=factories.household(area=areas.grid))
    with django_assert_max_num_queries(20) as large:
        response = client.get(reverse("matching:needs"))
    assert len(small.captured_queries) == len(large.captured_queries)
    assert response.text.count("need-card") == 13


def test_need_list_leaves_out_other_areas(client, personas, need, far_household):
    make_need(household=far_household, description="南门")
    response = _as(client, personas.caseworker).get(reverse("matching:needs"))
    assert "狮林寺巷8号" in response.text and "南门路1号" not in response.text


def test_batch_run_page_runs_and_reports(client, personas, areas, need, pool):
    url = reverse("matching:match_run")
    assert _as(client, personas.caseworker).get(url).status_code == 200
    response = client.post(url, {"area": areas.community.pk}, follow=True)
    assert "批量匹配完成" in response.text
    assert Referral.objects.filter(need=need).exists()
    assert _as(client, personas.viewer).post(url, {"area": areas.community.pk}).status_code == 403


# ---- referrals -------------------------------------------------------------------------


def test_referral_page_confirms_a_delivery(client, personas, referral):
    _delivered(personas, referral)
    url = reverse("matching:referral", args=[referral.uuid])
    page = _as(client, personas.caseworker).get(url)
    assert "待回访确认" in page.text
    client.post(
        reverse("matching:referral_confirm", args=[referral.uuid]),
        {"outcome": "met", "satisfaction": "5", "note": "很满意"},
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CONFIRMED and referral.satisfaction == 5
    assert referral.need.status == Need.Status.MET


def test_referral_confirm_refuses_auditors_and_get(client, personas, referral):
    _delivered(personas, referral)
    url = reverse("matching:referral_confirm", args=[referral.uuid])
    assert _as(client, personas.caseworker).get(url).status_code == 405
    assert _as(client, personas.viewer).post(url, {"outcome": "met"}).status_code == 403


def test_referral_page_out_of_scope_is_404(client, personas, referral):
    url = reverse("matching:referral", args=[referral.uuid])
    assert _as(client, personas.outsider).get(url).status_code == 404


def test_referral_list_shows_deliveries_waiting(client, personas, referral):
    _delivered(personas, referral)
    response = _as(client, personas.caseworker).get(reverse("matching:referrals"))
    assert "居家保洁" in response.text
    empty = _as(client, personas.no_area).get(reverse("matching:referrals"))
    assert "居家保洁" not in empty.text


def test_worker_withdraws_a_referral(client, personas, referral, pool):
    _as(client, personas.caseworker).post(
        reverse("matching:referral_cancel", args=[referral.uuid]), {"reason": "家属已安排"}
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CANCELLED


# ---- the provider portal ---------------------------------------------------------------


def test_portal_shows_only_the_providers_referrals_with_least_data(
    client, personas, household, referral, pool, areas
):
    household_phone = "13812345678"
    from households.services import household_update

    household_update(actor=None, household=household, data={"phone": household_phone})
    quilts_need = make_need(
        household=factories.household(area=areas.grid, address="棉被户1号"),
        type="survival",
        subtype="goods",
    )
    services.referral_propose(actor=None, need=quilts_need, resource=pool.quilts)
    response = _as(client, personas.provider).get(reverse("matching:portal"))
    assert response.status_code == 200
    text = response.text
    assert "狮林寺巷8号" in text and "王建国" in text
    assert "138****5678" in text and household_phone not in text
    assert "棉被户1号" not in text
    assert "老人独居，需要打扫" in text  # the provider reads what the need is
    assert referral.household.head.id_number_masked not in text


def test_portal_accept_deliver_and_decline(client, personas, referral, need, household, pool):
    _as(client, personas.provider)
    client.post(reverse("matching:referral_accept", args=[referral.uuid]), {"tab": "waiting"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.decided_by == personas.provider
    response = client.post(
        reverse("matching:referral_deliver", args=[referral.uuid]),
        {"quantity": "1", "delivered_on": "2026-01-05", "note": "已完成", "tab": "working"},
    )
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("matching:portal")
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DELIVERED and referral.delivery_note == "已完成"
    another = services.referral_propose(
        actor=None, need=make_need(household=household), resource=pool.cleaning
    )
    client.post(reverse("matching:referral_decline", args=[another.uuid]), {"reason": "无法上门"})
    another.refresh_from_db()
    assert another.status == Referral.Status.DECLINED


def test_portal_is_only_for_providers(client, personas):
    assert _as(client, personas.caseworker).get(reverse("matching:portal")).status_code == 403


def test_provider_cannot_confirm_or_see_others_referrals(
    client, personas, referral, household, pool
):
    _delivered(personas, referral)
    _as(client, personas.provider)
    url = reverse("matching:referral_confirm", args=[referral.uuid])
    assert client.post(url, {"outcome": "met"}).status_code == 403
    quilts = services.referral_propose(
        actor=None,
        need=make_need(household=household, type="survival", subtype="goods"),
        resource=pool.quilts,
    )
    assert client.post(reverse("matching:referral_accept", args=[quilts.uuid])).status_code == 404


def test_provider_referral_page_sends_to_the_portal(client, personas, referral):
    response = _as(client, personas.provider).get(
        reverse("matching:referral", args=[referral.uuid])
    )
    assert response["Location"] == reverse("matching:portal")


# ---- 一键求助 and the inbox ----------------------------------------------------------------


def _help(client, **overrides):
    from matching.selectors import help_communities

    data = {
        "phone": "139 1234 5678",
        "area": help_communities().get(code="320506001001").pk,
        "type": "survival",
        "subtype": "living",
        "description": "家里断粮了",
        "website": "",
    }
    data.update(overrides)
    return client.post(reverse("matching:help"), data)


@pytest.fixture
def clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_help_form_is_public_and_reveals_nothing_back(client, areas, clean_cache):
    assert client.get(reverse("matching:help")).status_code == 200
    response = _help(client)
    assert response.status_code == 302
    sent = client.get(response["Location"])
    assert "已收到" in sent.text
    for secret in ("13912345678", "5678", "狮林", "断粮"):
        assert secret not in sent.text
    need = Need.objects.get()
    assert need.status == Need.Status.UNVERIFIED and need.requester_phone == "13912345678"


def test_help_form_checks_csrf(areas, clean_cache):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert _help(strict).status_code == 403
    assert not Need.objects.exists()


def test_help_form_is_rate_limited_per_phone(client, areas, clean_cache, settings):
    from django.test import Client

    for i in range(3):
        assert _help(Client(REMOTE_ADDR=f"10.0.0.{i}")).status_code == 302
    limited = _help(Client(REMOTE_ADDR="10.0.0.9"))
    assert limited.status_code == 429
    assert "13912345678" not in limited.text
    assert Need.objects.count() == 3


def test_help_form_is_rate_limited_per_address(client, areas, clean_cache):
    for i in range(5):
        assert _help(client, phone=f"1391234000{i}").status_code == 302
    assert _help(client, phone="13912340009").status_code == 429
    assert Need.objects.count() == 5


def test_help_form_drops_robots_silently(client, areas, clean_cache):
    response = _help(client, website="http://spam.example")
    assert response.status_code == 302
    assert not Need.objects.exists()


def test_help_form_validates_the_phone(client, areas, clean_cache):
    response = _help(client, phone="12345")
    assert response.status_code == 400
    assert not Need.objects.exists()


def test_inbox_lists_requests_of_the_community_only(client, personas, areas, clean_cache):
    _help(client)
    services.help_request_submit(phone="13700000000", area=areas.far, type="care", subtype="other")
    response = _as(client, personas.caseworker).get(reverse("matching:inbox"))
    assert "13912345678" in response.text and "13700000000" not in response.text
    audited = _as(client, personas.viewer).get(reverse("matching:inbox"))
    assert "139****5678" in audited.text and "13912345678" not in audited.text
    assert "13912345678" not in _as(client, personas.no_area).get(reverse("matching:inbox")).text


def test_inbox_verify_finds_the_household_by_phone_and_ties_it(
    client, personas, household, clean_cache
):
    from households.services import household_update

    household_update(actor=None, household=household, data={"phone": "13912345678"})
    _help(client)
    request = Need.objects.get()
    url = reverse("matching:inbox_verify", args=[request.uuid])
    page = _as(client, personas.caseworker).get(url)
    assert "狮林寺巷8号" in page.text
    response = client.post(url, {"household": household.uuid, "urgency": "3"})
    request.refresh_from_db()
    assert response["Location"] == reverse("matching:need", args=[request.uuid])
    assert request.household == household and request.status == Need.Status.OPEN


def test_inbox_verify_cannot_tie_an_invisible_household(
    client, personas, far_household, clean_cache
):
    _help(client)
    request = Need.objects.get()
    response = _as(client, personas.caseworker).post(
        reverse("matching:inbox_verify", args=[request.uuid]),
        {"household": far_household.uuid, "urgency": "2"},
    )
    assert response.status_code == 404


def test_inbox_discard(client, personas, clean_cache):
    _help(client)
    request = Need.objects.get()
    _as(client, personas.caseworker).post(
        reverse("matching:inbox_discard", args=[request.uuid]), {"reason": "误操作"}
    )
    request.refresh_from_db()
    assert request.status == Need.Status.CLOSED
    assert AuditEvent.objects.filter(verb="need.discard").exists()


def test_inbox_of_another_community_is_404(client, personas, areas, clean_cache):
    request = services.help_request_submit(
        phone="13700000000", area=areas.far, type="care", subtype="other"
    )
    url = reverse("matching:inbox_verify", args=[request.uuid])
    assert _as(client, personas.caseworker).get(url).status_code == 404


# ---- campaigns -------------------------------------------------------------------------


def test_campaign_page_runs_and_reports_the_shortfall(client, personas, areas, pool):
    for i in range(6):
        home = factories.household(area=areas.grid, address=f"特困{i}号")
        factories.enrolment(household=home, category="tekun", member=home.head)
    url = reverse("matching:campaign_create")
    assert _as(client, personas.supervisor).get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "寒冬送温暖",
            "resource": pool.quilts.pk,
            "area": areas.street.pk,
            "per_household": "2",
            "g1_category": "tekun",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "缺口" in response.text and "特困0号" in response.text
    campaign = response.context["campaign"]
    assert (campaign.households_served, campaign.units_short) == (5, 2)


def test_campaign_page_without_a_group_says_so(client, personas, areas, pool):
    response = _as(client, personas.supervisor).post(
        reverse("matching:campaign_create"),
        {"name": "x", "resource": pool.quilts.pk, "area": areas.street.pk, "per_household": "1"},
    )
    assert response.status_code == 400
    assert "请至少设定一组对象条件" in response.text


def test_campaign_pages_refuse_auditors_writes_and_hide_other_areas(client, personas, areas, pool):
    assert _as(client, personas.viewer).get(reverse("matching:campaign_create")).status_code == 403
    campaign = services.campaign_run(
        actor=personas.admin,
        name="南门活动",
        resource=pool.quilts,
        area=areas.street,
        groups=[{"category": "dibao"}],
    )
    assert _as(client, personas.viewer).get(reverse("matching:campaigns")).status_code == 200
    url = reverse("matching:campaign", args=[campaign.uuid])
    assert _as(client, personas.outsider).get(url).status_code == 404
