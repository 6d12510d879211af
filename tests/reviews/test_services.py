"""Review due dates and outcomes, rule by rule, against households computed by hand.

The default head (factories.member_data) was born 1960-05-17: past working age, so a
household of the head alone is stable unless a member is in flexible work.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import ApplicationError, StaleVersionError
from households.models import Enrolment
from reviews import services
from reviews.dues import keep_review_dues
from reviews.models import Review, Standard
from reviews.selectors import household_income_line, standard_in_force
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)


def _enrolment(household, category="dibao", **extra):
    e = factories.enrolment(household=household, category=category, **extra)
    # Anchor the clock on a known approval day, then let the job compute from it.
    Enrolment.objects.filter(pk=e.pk).update(
        decided_at=dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC), review_due=None
    )
    keep_review_dues(today=TODAY)
    e.refresh_from_db()
    return e


@pytest.fixture
def home(areas, personas):
    return factories.household(area=areas.grid, actor=personas.caseworker, address="狮林寺巷8号")


def test_stable_dibao_household_takes_the_yearly_cadence(home, standard):
    assert _enrolment(home).review_due == dt.date(2027, 3, 10)


def test_flexible_work_makes_dibao_half_yearly(home, standard, personas):
    factories.member(household=home, actor=personas.caseworker, employment="flexible")
    assert _enrolment(home).review_due == dt.date(2026, 9, 10)


def test_a_working_age_member_with_labour_capacity_makes_dibao_half_yearly(home, standard):
    # Born 1990: 36 on TODAY, full labour capacity (the default).
    factories.member(
        household=home, id_number=factories.id_number(birth=dt.date(1990, 1, 1)), name="王强"
    )
    assert _enrolment(home).review_due == dt.date(2026, 9, 10)


def test_working_age_without_labour_capacity_stays_stable(home, standard):
    factories.member(
        household=home,
        id_number=factories.id_number(birth=dt.date(1990, 1, 1)),
        labour_capacity="none",
    )
    assert _enrolment(home).review_due == dt.date(2027, 3, 10)


def test_a_woman_of_56_is_past_working_age(home, standard):
    factories.member(
        household=home,
        id_number=factories.id_number(birth=dt.date(1970, 1, 1), sex="F"),
        relation="spouse",
    )
    assert _enrolment(home).review_due == dt.date(2027, 3, 10)


def test_a_moved_out_member_does_not_count(home, standard, personas):
    member = factories.member(household=home, employment="flexible")
    from households.services import member_update

    member_update(actor=None, member=member, data={"status": "moved_out"})
    assert _enrolment(home).review_due == dt.date(2027, 3, 10)


def test_the_standard_in_force_gives_the_cadence(home, standard, areas):
    # A later standard (already in force today) shortens the stable cadence to 9 months.
    Standard.objects.create(
        district=areas.district,
        effective_date=dt.date(2026, 11, 1),
        dibao=Decimal("1250"),
        tekun_basic=0,
        tekun_care_full=0,
        tekun_care_partial=0,
        tekun_care_none=0,
        dibao_stable_months=9,
    )
    assert _enrolment(home).review_due == dt.date(2026, 12, 10)


def test_a_standard_not_yet_in_force_is_ignored(home, areas):
    Standard.objects.create(
        district=areas.district,
        effective_date=dt.date(2027, 1, 1),
        dibao=Decimal("1300"),
        tekun_basic=0,
        tekun_care_full=0,
        tekun_care_partial=0,
        tekun_care_none=0,
        dibao_stable_months=3,
    )
    # No standard in force: the default 12 months.
    assert _enrolment(home).review_due == dt.date(2027, 3, 10)


def test_zhichu_recognition_is_capped_at_12_months(home, standard):
    # Even a standard that could say more is held at 12 by its constraint; here 6.
    Standard.objects.filter(pk=standard.pk).update(zhichu_months=6)
    assert _enrolment(home, "zhichu").review_due == dt.date(2026, 9, 10)
    standard.zhichu_months = 18
    with pytest.raises(ValidationError):
        standard.full_clean()


def test_tekun_and_dibian_take_their_own_cadence(home, standard, personas):
    Standard.objects.filter(pk=standard.pk).update(tekun_months=24, dibian_months=3)
    tekun = _enrolment(home, "tekun", member=home.head)
    assert tekun.review_due == dt.date(2028, 3, 10)


def test_dibian_cadence(home, standard):
    Standard.objects.filter(pk=standard.pk).update(dibian_months=3)
    assert _enrolment(home, "dibian").review_due == dt.date(2026, 6, 10)


def test_linshi_has_no_review(home, standard):
    e = _enrolment(home, "linshi", end_date=dt.date(2026, 3, 31))
    assert e.review_due is None


def test_approval_sets_the_due_date_a_cadence_after_the_approval(home, standard):
    from django.utils import timezone

    today = timezone.localdate()
    e = factories.enrolment(household=home)
    e.refresh_from_db()
    # A stable household: 12 months from the day of approval.
    try:
        expected = today.replace(year=today.year + 1)
    except ValueError:  # 29 February: PostgreSQL's month arithmetic gives the 28th
        expected = today.replace(year=today.year + 1, day=28)
    assert e.review_due == expected


def test_the_nightly_job_is_idempotent(home, standard, personas):
    _enrolment(home)
    Enrolment.objects.update(review_due=None)
    assert keep_review_dues(today=TODAY) == 1
    assert keep_review_dues(today=TODAY) == 0
    # A fact changes (a member starts flexible work): the next run moves the date, once.
    factories.member(household=home, employment="flexible")
    assert keep_review_dues(today=TODAY) == 1
    assert keep_review_dues(today=TODAY) == 0


# ---- outcomes ----------------------------------------------------------------------------


def test_unchanged_keeps_the_amount_and_starts_a_new_period(home, standard, personas):
    e = _enrolment(home, monthly_amount=Decimal("600"))
    review = services.enrolment_review(
        actor=personas.caseworker, enrolment=e, outcome="unchanged", reason="收入未变", today=TODAY
    )
    e.refresh_from_db()
    assert (e.status, e.monthly_amount, e.review_due) == ("approved", 600, dt.date(2027, 12, 7))
    assert (review.amount_before, review.amount_after, review.due_before) == (
        600,
        600,
        dt.date(2027, 3, 10),
    )
    # The job agrees with the service: nothing to change.
    assert keep_review_dues(today=TODAY) == 0


def test_amount_changed(home, standard, personas):
    e = _enrolment(home, monthly_amount=Decimal("600"))
    services.enrolment_review(
        actor=personas.caseworker,
        enrolment=e,
        outcome="amount",
        reason="子女就业",
        amount="420.5",
        today=TODAY,
    )
    e.refresh_from_db()
    assert e.monthly_amount == Decimal("420.50")
    from households.models import EnrolmentEvent

    latest = EnrolmentEvent.objects.filter(pgh_obj=e).order_by("-pgh_id").first()
    assert latest.monthly_amount == Decimal("420.50")


@pytest.mark.parametrize(("outcome", "status"), [("suspend", "suspended"), ("end", "ended")])
def test_suspend_and_end_leave_no_review_due(home, standard, personas, outcome, status):
    e = _enrolment(home)
    services.enrolment_review(
        actor=personas.caseworker, enrolment=e, outcome=outcome, reason="已就业", today=TODAY
    )
    e.refresh_from_db()
    assert (e.status, e.review_due) == (status, None)
    assert (e.end_date == TODAY) is (outcome == "end")
    assert keep_review_dues(today=TODAY) == 0


@pytest.mark.parametrize(
    ("outcome", "reason", "amount", "field"),
    [
        ("unchanged", " ", None, "reason"),
        ("maybe", "理由", None, "outcome"),
        ("amount", "理由", None, "amount"),
        ("amount", "理由", "600", "amount"),
        ("amount", "理由", "-1", "amount"),
        ("amount", "理由", "abc", "amount"),
        ("unchanged", "理由", "500", "amount"),
    ],
)
def test_bad_input_changes_nothing(home, standard, personas, outcome, reason, amount, field):
    e = _enrolment(home, monthly_amount=Decimal("600"))
    with pytest.raises(ValidationError) as error:
        services.enrolment_review(
            actor=personas.caseworker, enrolment=e, outcome=outcome, reason=reason, amount=amount
        )
    assert field in error.value.message_dict
    assert not Review.objects.exists()


def test_only_approved_enrolments_are_reviewed(home, standard, personas):
    e = factories.enrolment(household=home, approve=False)
    with pytest.raises(ApplicationError):
        services.enrolment_review(
            actor=personas.caseworker, enrolment=e, outcome="unchanged", reason="x"
        )


def test_a_repeated_submit_stores_once(home, standard, personas):
    e = _enrolment(home)
    seen = e.version
    services.enrolment_review(
        actor=personas.caseworker, enrolment=e, outcome="unchanged", reason="x", version=seen
    )
    with pytest.raises(StaleVersionError):
        services.enrolment_review(
            actor=personas.caseworker, enrolment=e, outcome="unchanged", reason="x", version=seen
        )
    assert Review.objects.count() == 1


def test_an_auditor_cannot_record_a_review(home, standard, personas):
    e = _enrolment(home)
    with pytest.raises(PermissionDenied):
        services.enrolment_review(actor=personas.viewer, enrolment=e, outcome="end", reason="x")


def test_out_of_scope_worker_cannot_record_a_review(home, standard, personas):
    e = _enrolment(home)
    with pytest.raises(PermissionDenied):
        services.enrolment_review(actor=personas.outsider, enrolment=e, outcome="end", reason="x")


# ---- standards -------------------------------------------------------------------------


def test_standard_in_force_is_the_latest_on_or_before_the_day(areas, standard):
    later = Standard.objects.create(
        district=areas.district,
        effective_date=dt.date(2027, 1, 1),
        dibao=Decimal("1250"),
        tekun_basic=0,
        tekun_care_full=0,
        tekun_care_partial=0,
        tekun_care_none=0,
    )
    code = areas.grid.prefix
    assert standard_in_force(area_code=code, day=dt.date(2026, 6, 30)) is None
    assert standard_in_force(area_code=code, day=dt.date(2026, 7, 1)) == standard
    assert standard_in_force(area_code=code, day=dt.date(2026, 12, 31)) == standard
    assert standard_in_force(area_code=code, day=dt.date(2027, 1, 1)) == later


def test_income_line_per_capita_against_the_standard(home, standard):
    # Head 1,000 + member 624 = 1,624 over 2 people = 812.00 a month each.
    from households.services import member_update

    member_update(actor=None, member=home.head, data={"monthly_income": Decimal("1000")})
    factories.member(household=home, monthly_income=Decimal("624"))
    line = household_income_line(household=home, day=TODAY)
    assert (line.size, line.per_capita, line.standard, line.below_dibao) == (
        2,
        Decimal("812.00"),
        standard,
        True,
    )
    assert standard.dibian_line == Decimal("1792.50")


def test_only_a_district_admin_keeps_standards(areas, personas):
    data = {
        "effective_date": dt.date(2027, 1, 1),
        "dibao": 1300,
        "tekun_basic": 1690,
        "tekun_care_full": 260,
        "tekun_care_partial": 780,
        "tekun_care_none": 1560,
    }
    for who in ("caseworker", "supervisor", "viewer"):
        with pytest.raises(PermissionDenied):
            services.standard_create(actor=getattr(personas, who), data=data)
    created = services.standard_create(actor=personas.admin, data=data)
    assert created.district == areas.district
    with pytest.raises(ValidationError) as error:
        services.standard_create(actor=personas.admin, data=data)
    assert "effective_date" in error.value.message_dict
    assert Standard.objects.count() == 1


def test_standard_update_checks_its_version(personas, standard):
    services.standard_update(
        actor=personas.admin, standard=standard, data={"dibao": 1200}, version=1
    )
    with pytest.raises(StaleVersionError):
        services.standard_update(
            actor=personas.admin, standard=standard, data={"dibao": 1210}, version=1
        )
