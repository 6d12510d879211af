"""救助审批: the pending list (keyset pages, total, filters, cards) and decisions, one or bulk."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from households.models import Category, Enrolment, EnrolmentEvent
from households.services import enrolment_apply
from tests import factories

pytestmark = pytest.mark.django_db

PENDING = reverse("households:enrolments_pending")
BULK = reverse("households:enrolments_decide_bulk")


def _login(client, user):
    client.force_login(user)
    return client


def _apply(household, *, actor=None, category="dibao", amount="600", days_ago=0, **extra):
    enrolment = enrolment_apply(
        actor=actor,
        household=household,
        category=Category.objects.get(code=category),
        start_date=dt.date(2026, 11, 1),
        monthly_amount=Decimal(amount),
        **extra,
    )
    if days_ago:
        when = timezone.now() - dt.timedelta(days=days_ago)
        Enrolment.objects.filter(pk=enrolment.pk).update(created_at=when)
    return enrolment


def _household(area, head="王建国", address=None):
    return factories.household(area=area, address=address, head={"name": head})


@pytest.fixture
def street_admin(areas):
    """A decider bound to 平江街道: sees and decides only that street's applications."""
    return factories.user("street_admin", role="district_admin", area=areas.street)


# ---- the list --------------------------------------------------------------------------


def test_card_shows_what_a_decision_needs(client, personas, areas, household):
    head = household.head
    head.monthly_income = Decimal("900")
    head.save(update_fields=["monthly_income"])  # the other member earns 0: 450 per head
    _apply(household, actor=personas.caseworker, amount="735.50", days_ago=12)
    response = _login(client, personas.admin).get(PENDING)
    text = response.text
    assert response.status_code == 200
    assert "共 1 份待审批" in text
    assert "王建国" in text  # 户主
    assert "狮林社区 · 狮林一网格" in text  # community, then the grid
    assert "2 人：王建国、王小明" in text  # members covered
    assert "450.00 元" in text  # monthly per-capita income
    assert "低保 · 735.50 元/月" in text  # category and amount asked
    assert "经办人" in text and "caseworker" in text  # who took it, not 申请人
    assert "申请人" not in text
    assert "已等待 12 天" in text


def test_list_is_paged_by_keyset_oldest_first_with_the_total(client, personas, areas, monkeypatch):
    monkeypatch.setattr("households.approvals.PAGE_SIZE", 2)
    heads = ["甲一", "乙二", "丙三", "丁四", "戊五"]
    for n, head in enumerate(heads):
        _apply(_household(areas.grid, head=head), days_ago=30 - n)
    client = _login(client, personas.admin)
    first = client.get(PENDING)
    assert "共 5 份待审批" in first.text
    assert _order(first.text, heads) == ["甲一", "乙二"]
    after = first.context["page"].next_cursor
    second = client.get(PENDING, {"after": after})
    assert _order(second.text, heads) == ["丙三", "丁四"]
    third = client.get(PENDING, {"after": second.context["page"].next_cursor})
    assert _order(third.text, heads) == ["戊五"]
    assert third.context["page"].next_cursor is None
    assert "共 5 份待审批" in third.text


def _order(text, names):
    found = [
        (text.index(f"<strong>{n}</strong>"), n) for n in names if f"<strong>{n}</strong>" in text
    ]
    return [n for _i, n in sorted(found)]


def test_filters_by_street_community_category_and_wait(client, personas, areas):
    _apply(_household(areas.grid, head="狮林甲"), category="dibao", days_ago=40)
    _apply(_household(areas.neighbour, head="菉葭乙"), category="dibao", days_ago=3)
    _apply(_household(areas.far, head="南门丙"), category="zhichu", days_ago=20)
    client = _login(client, personas.admin)

    def names(**params):
        text = client.get(PENDING, params).text
        return {n for n in ("狮林甲", "菉葭乙", "南门丙") if n in text}

    assert names() == {"狮林甲", "菉葭乙", "南门丙"}
    assert names(street=areas.street.code) == {"狮林甲", "菉葭乙"}
    assert names(community=areas.neighbour.code) == {"菉葭乙"}
    assert names(category="zhichu") == {"南门丙"}
    assert names(waited="15") == {"狮林甲", "南门丙"}
    assert names(waited="30", street=areas.street.code) == {"狮林甲"}
    response = client.get(PENDING, {"street": areas.street.code, "waited": "30"})
    assert "共 1 份待审批" in response.text
    # the pager keeps the filters
    assert response.context["query"] == f"street={areas.street.code}&waited=30"


def test_a_street_never_sees_another_streets_applications(client, street_admin, areas):
    _apply(_household(areas.grid, head="狮林甲"))
    _apply(_household(areas.far, head="南门丙"))
    client = _login(client, street_admin)
    text = client.get(PENDING).text
    assert "狮林甲" in text and "南门丙" not in text
    assert "共 1 份待审批" in text
    # naming the other street's community in the filter shows nothing of it either
    response = client.get(PENDING, {"community": areas.far.code})
    assert "南门丙" not in response.text


def test_street_staff_see_the_list_without_decision_controls(client, personas, household):
    _apply(household)
    text = _login(client, personas.supervisor).get(PENDING).text
    assert "王建国" in text
    assert 'id="bulk-decide"' not in text
    assert 'name="enrolment"' not in text


def test_page_reads_in_a_fixed_number_of_queries(
    client, personas, areas, django_assert_num_queries
):
    client = _login(client, personas.admin)
    _apply(_household(areas.grid), actor=personas.caseworker)
    client.get(PENDING)  # session and caches warm
    with django_assert_num_queries(6) as few:
        client.get(PENDING)
    for n in range(6):
        area = areas.neighbour if n % 2 else areas.far
        _apply(_household(area, head=f"户主{n}"), actor=personas.teammate)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(PENDING)
    assert "共 7 份待审批" in response.text


# ---- one decision ----------------------------------------------------------------------


def test_single_decision_message_names_household_and_decision(client, personas, household):
    enrolment = _apply(household)
    client = _login(client, personas.admin)
    response = client.post(
        reverse("households:enrolment_decide", args=[enrolment.uuid]),
        {"decision": "approve", "next": "pending", "query": "category=dibao"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{PENDING}?category=dibao"
    assert "已批准：王建国户（狮林寺巷8号）的低保申请。" in response.text


# ---- bulk decisions --------------------------------------------------------------------


def test_bulk_approve_decides_each_through_the_service_with_history(client, personas, areas):
    one = _apply(_household(areas.grid, head="甲一", address="一号"))
    two = _apply(_household(areas.neighbour, head="乙二", address="二号"))
    response = _login(client, personas.admin).post(
        BULK,
        {"enrolment": [one.uuid, two.uuid], "decision": "approve", "reason": "材料齐全"},
        follow=True,
    )
    for e in (one, two):
        e.refresh_from_db()
        assert (e.status, e.decided_by, e.decision_reason) == (
            "approved",
            personas.admin,
            "材料齐全",
        )
        assert AuditEvent.objects.filter(verb="enrolment.approve", object_id=e.pk).count() == 1
        assert EnrolmentEvent.objects.filter(pgh_obj=e, status="approved").exists()
    assert "已批准：甲一户（一号）的低保申请；乙二户（二号）的低保申请。" in response.text


def test_bulk_is_all_or_nothing(client, personas, areas):
    one = _apply(_household(areas.grid, head="甲一"))
    two = _apply(_household(areas.grid, head="乙二", address="二号"))
    client = _login(client, personas.admin)
    client.post(
        reverse("households:enrolment_decide", args=[two.uuid]),
        {"decision": "reject", "reason": "收入超标"},
    )
    response = client.post(
        BULK, {"enrolment": [one.uuid, two.uuid], "decision": "approve"}, follow=True
    )
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, two.status) == ("applied", "rejected")
    assert "乙二户（二号）" in response.text
    assert "本次勾选的申请均未审批" in response.text
    assert not AuditEvent.objects.filter(verb="enrolment.approve").exists()


def test_bulk_repeated_submit_stores_once(client, personas, household):
    enrolment = _apply(household)
    client = _login(client, personas.admin)
    data = {"enrolment": [enrolment.uuid], "decision": "approve"}
    client.post(BULK, data)
    client.post(BULK, data)
    assert AuditEvent.objects.filter(verb="enrolment.approve", object_id=enrolment.pk).count() == 1


def test_bulk_reject_needs_one_reason(client, personas, areas):
    one = _apply(_household(areas.grid))
    response = _login(client, personas.admin).post(
        BULK, {"enrolment": [one.uuid], "decision": "reject", "reason": " "}, follow=True
    )
    one.refresh_from_db()
    assert one.status == "applied"
    assert "不予批准时必须填写理由" in response.text


def test_bulk_with_a_foreign_id_is_404_and_changes_nothing(client, street_admin, areas):
    own = _apply(_household(areas.grid))
    foreign = _apply(_household(areas.far))
    response = _login(client, street_admin).post(
        BULK, {"enrolment": [own.uuid, foreign.uuid], "decision": "approve"}
    )
    assert response.status_code == 404
    own.refresh_from_db()
    foreign.refresh_from_db()
    assert (own.status, foreign.status) == ("applied", "applied")


def test_bulk_with_no_selection_or_a_malformed_id_is_404(client, personas):
    client = _login(client, personas.admin)
    assert client.post(BULK, {"decision": "approve"}).status_code == 404
    assert client.post(BULK, {"enrolment": ["x"], "decision": "approve"}).status_code == 404


def test_bulk_by_a_role_that_may_not_decide_is_403(client, personas, household):
    enrolment = _apply(household)
    response = _login(client, personas.supervisor).post(
        BULK, {"enrolment": [enrolment.uuid], "decision": "approve"}
    )
    assert response.status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.status == "applied"


def test_bulk_rejects_get(client, personas):
    assert _login(client, personas.admin).get(BULK).status_code == 405
