"""Tier rules in a district admin's words, the preview of how many households move between
tiers before saving, and no rules at all for a user bound to no district."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import selectors
from cases.models import TierRule
from households.models import Household, User
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
RULES = reverse("cases:tier_rules")
CREATE = reverse("cases:tier_rule_create")


def _login(client, user):
    client.force_login(user)
    return client


def _post_data(rule: TierRule, **overrides):
    data = {
        "name": rule.name,
        "tier": rule.tier,
        "interval_months": str(rule.interval_months),
        "priority": str(rule.priority),
        "active": "on",
        "version": str(rule.version),
    }
    data.update({f"p_{k}": v for k, v in rule.params.items() if not isinstance(v, list)})
    data.update(overrides)
    return data


def test_list_reads_in_words_without_codes_or_dicts(client, personas):
    text = _login(client, personas.admin).get(RULES).text
    assert "有未解除的急难情况" in text  # the kind of rule, not hardship_alert
    assert "当前享受某类救助" in text
    assert "救助类别：特困" in text  # the parameters in words
    assert "急难记录有效天数（" not in text
    assert "急难记录有效天数：90 天；须在几天内跟进：3 天" in text
    assert "残疾等级不高于：二级；含重病/大病：是" in text
    for raw in ("hardship_alert", "enrolled", "{&#x27;", "{'", "category"):
        assert raw not in text


def test_each_kind_has_a_form_in_words(client, personas):
    client = _login(client, personas.admin)
    kinds = client.get(CREATE).text
    assert "重度残疾或重病且无人照料" in kinds and "?code=frail_without_caregiver" in kinds
    frail = client.get(CREATE, {"code": "frail_without_caregiver"})
    form = frail.context["form"]
    assert [str(label) for _v, label in form.fields["p_max_disability_grade"].choices] == [
        "一级",
        "二级",
        "三级",
        "四级",
    ]
    assert "含重病/大病" in frail.text
    enrolled = client.get(CREATE, {"code": "enrolled"})
    assert "特困" in enrolled.text and "临时救助" in enrolled.text
    need = client.get(CREATE, {"code": "open_need"}).text
    assert "生存型" in need and "服务中" in need
    elderly = client.get(CREATE, {"code": "elderly_alone"})
    assert elderly.context["form"].fields["p_min_age"].label == "年龄不低于（岁）"
    assert client.get(CREATE, {"code": "no_such_kind"}).status_code == 404


def test_create_from_the_form(client, personas):
    response = _login(client, personas.admin).post(
        f"{CREATE}?code=frail_without_caregiver",
        {
            "name": "三级以上残疾无人照料",
            "tier": "B",
            "interval_months": "3",
            "priority": "60",
            "active": "on",
            "p_max_disability_grade": "3",
        },
    )
    assert response.status_code == 302
    rule = TierRule.objects.get(name="三级以上残疾无人照料")
    assert rule.params == {"max_disability_grade": 3, "serious_illness": False}


def test_bad_input_is_refused_in_words_and_saves_nothing(client, personas):
    rule = TierRule.objects.get(code="open_need", tier="A")
    response = _login(client, personas.admin).post(
        reverse("cases:tier_rule_edit", args=[rule.uuid]),
        _post_data(rule, p_type="survival", name="改了名"),  # no status ticked
    )
    assert response.status_code == 400
    assert "这个字段是必填项" in response.text or "必填" in response.text
    rule.refresh_from_db()
    assert rule.name == "有未解决的生存型需求"


@pytest.fixture
def caseload(areas):
    """Three households: 特困 (A), 低保 (B) and one with nothing (C)."""
    tekun = factories.household(area=areas.grid)
    factories.enrolment(household=tekun, category="tekun", member=tekun.head)
    dibao = factories.household(area=areas.grid)
    factories.enrolment(household=dibao, category="dibao")
    plain = factories.household(area=areas.neighbour)
    return tekun, dibao, plain


def test_preview_counts_the_moves_and_saves_nothing(client, personas, caseload):
    rule = TierRule.objects.get(code="enrolled", params__category="dibao")
    tiers_before = list(Household.objects.order_by("id").values_list("tier", flat=True))
    response = _login(client, personas.admin).post(
        reverse("cases:tier_rule_edit", args=[rule.uuid]),
        _post_data(rule, tier="A", preview="1"),
    )
    assert response.status_code == 200
    moves = response.context["moves"]
    assert moves.moves == [("B", "A", 1)]
    assert moves.unchanged == 2
    assert 'B</mark> → <mark class="tier">A' in response.text
    assert "1 户" in response.text
    rule.refresh_from_db()
    assert (rule.tier, rule.version) == ("B", 1)
    assert list(Household.objects.order_by("id").values_list("tier", flat=True)) == tiers_before


def test_preview_of_a_new_rule_and_of_switching_one_off(personas, caseload):
    admin = personas.admin
    data = {"name": "全部列A", "tier": "A", "interval_months": 1, "priority": 1, "active": True}
    moves = selectors.tier_rule_preview(actor=admin, code="active_household", data=data)
    # the catch-all as a new rule applies only to households no other rule matches
    assert moves.moves == [("C", "A", 1)]
    tekun_rule = TierRule.objects.get(code="enrolled", params__category="tekun")
    off = {"name": tekun_rule.name, "tier": "A", "interval_months": 1, "priority": 10}
    moves = selectors.tier_rule_preview(
        actor=admin,
        code="enrolled",
        data={**off, "active": False, "params": {"category": "tekun"}},
        rule=tekun_rule,
    )
    assert moves.moves == [("A", "C", 1)]


def test_preview_is_one_statement_whatever_the_households(
    personas, caseload, areas, django_assert_num_queries
):
    rule = TierRule.objects.get(code="enrolled", params__category="dibao")
    data = {"name": rule.name, "tier": "A", "interval_months": 1, "priority": 10,
            "active": True, "params": {"category": "dibao"}}  # fmt: skip
    admin = User.objects.select_related("area").get(pk=personas.admin.pk)
    with django_assert_num_queries(5) as few:
        selectors.tier_rule_preview(actor=admin, code="enrolled", data=data, rule=rule)
    for _n in range(4):
        factories.enrolment(household=factories.household(area=areas.grid), category="dibao")
    with django_assert_num_queries(len(few.captured_queries)):
        moves = selectors.tier_rule_preview(actor=admin, code="enrolled", data=data, rule=rule)
    assert moves.moves == [("B", "A", 5)]


@pytest.mark.parametrize("area", [None, "street"])
def test_a_district_admin_bound_to_no_district_gets_nothing(client, api, areas, area):
    bound = getattr(areas, area) if area else None
    admin = factories.user("admin_nowhere", role="district_admin", area=bound)
    rule = TierRule.objects.first()
    client = _login(client, admin)
    edit = reverse("cases:tier_rule_edit", args=[rule.uuid])
    assert client.get(RULES).status_code == 403
    assert client.get(CREATE, {"code": "enrolled"}).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(edit, _post_data(rule, name="改")).status_code == 403
    assert api(admin).get(reverse("api-cases:tier-rule-list")).status_code == 403
    rule.refresh_from_db()
    assert rule.name != "改"
