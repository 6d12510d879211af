"""The nightly screening as a whole: idempotent, leads that disappear, dismissed leads that
stay hidden until the facts change, and the 应退尽退 flags."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from matching import services as matching_services
from outreach import services
from outreach.models import ExitFlag, Lead
from tests import factories
from tests.outreach.conftest import DAY, change, open_leads, rule, screen

pytestmark = pytest.mark.django_db


@pytest.fixture
def disabled(areas, policies):
    """A household with a member of grade-2 physical disability, under the care rule."""
    rule(policies.care, "disability", types=["physical"], max_grade=2)
    home = factories.household(area=areas.grid)
    member = factories.member(household=home, disability_type="physical", disability_grade=2)
    return home, member


def _versions() -> list[tuple]:
    return sorted(Lead.objects.values_list("id", "version", "state", "updated_at"))


def test_a_second_run_changes_nothing(disabled, policies):
    first = screen()
    assert (first.leads_found, first.leads_changed) == (1, 1)
    before = _versions()
    again = screen()
    assert (again.leads_found, again.leads_changed, again.leads_removed) == (1, 0, 0)
    assert _versions() == before


def test_the_command_and_the_task_run_the_same_screening(disabled, policies):
    from outreach.tasks import outreach_screen_task

    call_command("outreach_screen", "--date", DAY.isoformat())
    assert Lead.objects.count() == 1
    result = outreach_screen_task.apply().get()
    assert result["leads_changed"] == 0


def test_a_lead_that_no_longer_holds_disappears(disabled, policies):
    _home, member = disabled
    screen()
    change(member, disability_type="physical", disability_grade=4)
    result = screen()
    assert (result.leads_removed, Lead.objects.count()) == (1, 0)


def test_acting_turns_a_lead_into_a_need_and_a_referral(disabled, policies, personas):
    home, member = disabled
    screen()
    lead = Lead.objects.get()
    lead = services.lead_act(actor=personas.caseworker, lead=lead, note="已联系残联")
    assert lead.state == Lead.State.ACTED
    assert (lead.need.household_id, lead.need.member_id, lead.need.type) == (
        home.pk,
        member.pk,
        "care",
    )
    assert lead.referral.resource_id == policies.care.pk
    assert lead.referral.status == "proposed"
    result = screen()
    assert (result.leads_found, Lead.objects.get().state) == (0, Lead.State.ACTED)


def test_an_acted_lead_opens_again_when_its_referral_is_withdrawn(disabled, policies, personas):
    screen()
    lead = services.lead_act(actor=personas.caseworker, lead=Lead.objects.get())
    matching_services.referral_cancel(
        actor=personas.caseworker, referral=lead.referral, reason="家属不同意"
    )
    screen()
    assert Lead.objects.get().state == Lead.State.OPEN


def test_a_referral_made_outside_the_lead_counts_as_given(disabled, policies):
    home, member = disabled
    need = matching_services.need_create(
        actor=None, household=home, member=member, type="care", subtype="daily_care"
    )
    matching_services.referral_propose(actor=None, need=need, resource=policies.care)
    screen()
    assert Lead.objects.count() == 0


def test_a_dismissed_lead_stays_hidden_until_the_facts_change(disabled, policies, personas):
    _home, member = disabled
    screen()
    lead = services.lead_dismiss(
        actor=personas.caseworker, lead=Lead.objects.get(), reason="已在外地享受"
    )
    assert lead.state == Lead.State.DISMISSED
    screen()
    change(member, phone="13800000000")  # not a fact any rule reads
    screen()
    lead.refresh_from_db()
    assert (lead.state, lead.dismiss_reason, open_leads()) == (
        Lead.State.DISMISSED,
        "已在外地享受",
        set(),
    )
    change(member, disability_type="physical", disability_grade=1)
    screen()
    lead.refresh_from_db()
    assert lead.state == Lead.State.OPEN
    assert lead.dismiss_reason == "已在外地享受"  # kept, as the record of the last dismissal


def test_a_dismissed_lead_that_no_longer_holds_is_kept(disabled, policies, personas):
    _home, member = disabled
    screen()
    services.lead_dismiss(actor=personas.caseworker, lead=Lead.objects.get(), reason="重复")
    change(member, disability_type="", disability_grade=None)
    screen()
    assert Lead.objects.get().state == Lead.State.DISMISSED


def test_dismissing_needs_a_reason_and_an_open_lead(disabled, policies, personas):
    from django.core.exceptions import PermissionDenied, ValidationError

    from core.errors import ApplicationError

    screen()
    lead = Lead.objects.get()
    with pytest.raises(ValidationError):
        services.lead_dismiss(actor=personas.caseworker, lead=lead, reason="  ")
    with pytest.raises(PermissionDenied):
        services.lead_dismiss(actor=personas.viewer, lead=lead, reason="x")
    services.lead_dismiss(actor=personas.caseworker, lead=lead, reason="重复")
    with pytest.raises(ApplicationError):
        services.lead_act(actor=personas.caseworker, lead=lead)


# ---- 应退尽退 -------------------------------------------------------------------------------


def _flags() -> set[tuple[int, str]]:
    return set(
        ExitFlag.objects.filter(state=ExitFlag.State.OPEN).values_list("enrolment_id", "kind")
    )


def test_income_above_the_line_after_a_change_flags_the_enrolment(areas, standard):
    home = factories.household(area=areas.grid, head={"monthly_income": Decimal("1300")})
    approved_above = factories.enrolment(household=home, category="dibao")
    screen()
    assert _flags() == set()  # approved knowing that income: no change since
    home = factories.household(area=areas.grid, head={"monthly_income": Decimal("1000")})
    dibao = factories.enrolment(household=home, category="dibao")
    change(home.head, monthly_income=Decimal("1300"))
    screen()
    assert approved_above.pk not in {e for e, _k in _flags()}
    assert _flags() == {(dibao.pk, "income_above")}
    assert ExitFlag.objects.get().reason == "家庭人均月收入1300.00元，高于低保标准1195.00元，请复核"
    change(home.head, monthly_income=Decimal("1000"))
    screen()
    assert _flags() == set()


def test_a_review_after_the_change_answers_the_income_flag(areas, standard, personas):
    from reviews.services import enrolment_review

    home = factories.household(area=areas.grid)
    dibao = factories.enrolment(household=home, category="dibao")
    change(home.head, monthly_income=Decimal("1300"))
    enrolment_review(
        actor=personas.caseworker, enrolment=dibao, outcome="unchanged", reason="收入为一次性"
    )
    screen()
    assert _flags() == set()


def test_a_covered_member_deceased_or_moved_out_flags_the_enrolment(areas, standard):
    home = factories.household(area=areas.grid)
    child = factories.member(household=home, name="王小红", relation="child")
    dibao = factories.enrolment(household=home, category="dibao")
    assert child in dibao.members.all()
    change(child, status="moved_out")
    screen()
    assert _flags() == {(dibao.pk, "member_gone")}
    assert ExitFlag.objects.get().reason == "救助对象王小红已迁出，请复核"


def test_linshi_past_its_end_flags_the_enrolment(areas, standard):
    home = factories.household(area=areas.grid)
    linshi = factories.enrolment(
        household=home, category="linshi", start=dt.date(2026, 6, 1), end_date=dt.date(2026, 8, 1)
    )
    screen(DAY)
    assert _flags() == {(linshi.pk, "linshi_overdue")}
    screen(dt.date(2026, 7, 31))
    assert _flags() == set()


def test_a_resolved_flag_stays_resolved_until_the_facts_change(areas, standard, personas):
    home = factories.household(area=areas.grid)
    dibao = factories.enrolment(household=home, category="dibao")
    change(home.head, monthly_income=Decimal("1300"))
    screen()
    flag = services.exit_flag_resolve(
        actor=personas.caseworker, flag=ExitFlag.objects.get(), note="收入为一次性补发"
    )
    assert screen().flags_changed == 0
    flag.refresh_from_db()
    assert flag.state == ExitFlag.State.RESOLVED
    change(home.head, monthly_income=Decimal("1400"))
    screen()
    flag.refresh_from_db()
    dibao.refresh_from_db()
    assert (flag.state, flag.resolve_note, dibao.status) == (
        ExitFlag.State.OPEN,
        "收入为一次性补发",
        "approved",
    )


def test_a_flag_never_ends_the_enrolment(areas, standard):
    home = factories.household(area=areas.grid)
    dibao = factories.enrolment(household=home, category="dibao")
    change(home.head, monthly_income=Decimal("5000"))
    screen()
    assert _flags() == {(dibao.pk, "income_above")}
    dibao.refresh_from_db()
    assert (dibao.status, dibao.end_date) == ("approved", None)
