"""The application's way from the window to the decision, with its clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from applications import services
from applications.models import Application, CalendarDay
from core.errors import ApplicationError
from core.models import AuditEvent
from households.models import Category, Enrolment
from tests import factories
from tests.applications.conftest import investigate, take

pytestmark = pytest.mark.django_db
D = dt.date


def test_take_routes_to_the_department_and_sets_the_acceptance_limit(
    household, personas, window, clock
):
    clock.set(D(2026, 2, 13))  # the Friday before the Spring Festival
    application = take(household, personas.caseworker)
    assert application.department == window.bureau
    assert application.status == Application.Status.RECEIVED
    assert application.reference.startswith("SQ260213")
    assert application.accept_due == D(2026, 2, 25)  # Sat 14 (make-up), Tue 24, Wed 25
    assert application.due_on == application.accept_due
    assert application.consent_taken_by == personas.caseworker
    assert application.lookup_phone_hash and "13912345678" not in application.lookup_phone_hash
    assert AuditEvent.objects.filter(verb="application.take", object_id=application.pk).exists()


def test_take_refuses_without_consent_or_outside_the_list_or_for_an_auditor(
    household, personas, window
):
    with pytest.raises(ValidationError) as error:
        take(household, personas.caseworker, consent_given=False)
    assert "consent_given" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        take(household, personas.caseworker, category="linshi")
    assert "category" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        take(household, personas.viewer)
    with pytest.raises(PermissionDenied):
        take(household, personas.outsider)
    assert not Application.objects.exists()


def test_a_district_holiday_moves_the_limit(household, personas, window, clock):
    services.calendar_day_set(actor=personas.admin, day=D(2026, 3, 3), is_workday=False, note="")
    clock.set(D(2026, 3, 2))
    application = take(household, personas.caseworker)
    assert application.accept_due == D(2026, 3, 6)  # Wed 4, Thu 5, Fri 6
    assert CalendarDay.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.calendar_day_set(
            actor=personas.supervisor, day=D(2026, 3, 4), is_workday=False, note=""
        )


def test_the_whole_way_to_approval_creates_the_enrolment(household, personas, window, clock):
    clock.set(D(2026, 9, 29))
    application = take(household, personas.caseworker)
    with pytest.raises(PermissionDenied):
        services.application_accept(actor=personas.caseworker, application=application)
    clock.set(D(2026, 9, 30))
    application = services.application_accept(actor=window.clerk, application=application)
    assert application.investigation_due == D(2026, 10, 10)  # across National Day
    clock.set(D(2026, 10, 9))
    investigation = investigate(application, personas.caseworker, window.partner)
    assert investigation.per_capita_income == Decimal("900.00")
    assert investigation.below_standard is True
    application.refresh_from_db()
    assert application.status == Application.Status.INVESTIGATING
    assert application.due_on == application.decision_due
    notice = services.notice_publish(
        actor=personas.supervisor,
        community=household.area.parent,
        applications=[application],
        hotline="0512-12345",
    )
    assert (notice.start, notice.end) == (D(2026, 10, 9), D(2026, 10, 15))
    with pytest.raises(ApplicationError):
        services.application_approve(
            actor=personas.admin, application=application, monthly_amount=Decimal("590")
        )
    clock.set(D(2026, 10, 16))
    application = services.application_approve(
        actor=personas.admin, application=application, monthly_amount=Decimal("590")
    )
    assert application.status == Application.Status.APPROVED
    assert application.start_month == D(2026, 11, 1)
    enrolment = application.enrolment
    assert enrolment.status == Enrolment.Status.APPROVED
    assert enrolment.start_date == D(2026, 11, 1)
    assert enrolment.monthly_amount == Decimal("590")
    assert (enrolment.applied_by, enrolment.decided_by) == (personas.caseworker, personas.admin)


def test_investigation_needs_two_investigators_and_a_confirmation(
    household, personas, window, clock
):
    application = services.application_accept(
        actor=window.clerk, application=take(household, personas.caseworker)
    )
    with pytest.raises(ValidationError) as error:
        services.investigation_record(
            actor=personas.caseworker,
            application=application,
            investigators=[personas.caseworker],
            data={
                "visited_on": D(2026, 3, 2),
                "household_size": 2,
                "monthly_income": 0,
                "assets": 0,
                "paper_signed": True,
            },
        )
    assert "investigators" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        investigate(application, personas.caseworker, window.partner, paper_signed=False)
    assert "signature" in error.value.message_dict
    with pytest.raises(ValidationError):
        investigate(application, personas.caseworker, personas.outsider)
    signed = investigate(
        application,
        personas.caseworker,
        window.partner,
        paper_signed=False,
        signature="data:image/png;base64,iVBORw0KGgo=",
    )
    assert signed.investigators.count() == 2


def test_an_objection_sends_it_back_to_investigation(household, personas, window, clock):
    application = services.application_accept(
        actor=window.clerk, application=take(household, personas.caseworker)
    )
    investigate(application, personas.caseworker, window.partner)
    notice = services.notice_publish(
        actor=personas.supervisor,
        community=household.area.parent,
        applications=[application],
        hotline="0512-12345",
    )
    services.objection_record(
        actor=personas.supervisor, application=application, text="邻居反映有出租房收入"
    )
    application.refresh_from_db()
    assert application.status == Application.Status.INVESTIGATING
    assert application.notice_start is None
    assert not notice.applications.exists()


def test_rejection_sets_the_written_notice_limit_and_moves_to_dibian(
    household, personas, window, clock
):
    clock.set(D(2026, 2, 10))
    application = services.application_accept(
        actor=window.clerk, application=take(household, personas.caseworker)
    )
    investigate(application, personas.caseworker, window.partner, monthly_income=Decimal("3000"))
    services.notice_publish(
        actor=personas.supervisor,
        community=household.area.parent,
        applications=[application],
        hotline="0512-12345",
    )
    clock.set(D(2026, 2, 13))
    with pytest.raises(ValidationError):
        services.application_reject(actor=personas.admin, application=application, reason=" ")
    clock.set(D(2026, 2, 16))
    with pytest.raises(ApplicationError):  # the notice is up from 10 Feb to 16 Feb inclusive
        services.application_reject(actor=personas.admin, application=application, reason="x")
    clock.set(D(2026, 2, 17))
    rejected = services.application_reject(
        actor=window.clerk, application=application, reason="人均收入高于低保标准"
    )
    # Decided on the fourth day of the Spring Festival: Tue 24, Wed 25, Thu 26.
    assert rejected.rejection_notice_due == D(2026, 2, 26)
    moved = services.application_move(
        actor=personas.caseworker,
        application=rejected,
        category=Category.objects.get(code="dibian"),
    )
    assert moved.status == Application.Status.INVESTIGATING  # the investigation carried over
    assert moved.moved_from == rejected
    assert moved.investigations.get().per_capita_income == Decimal("1500.00")
    assert moved.lookup_phone_hash == rejected.lookup_phone_hash
    services.rejection_notice_sent(actor=personas.supervisor, application=rejected)
    rejected.refresh_from_db()
    assert rejected.due_on is None


def test_minors_and_dibian_skip_the_notice(household, personas, window, clock):
    child = factories.member(
        household=household,
        actor=personas.caseworker,
        name="王小红",
        relation="child",
        id_number=factories.id_number(birth=D(2015, 4, 1)),
    )
    application = services.application_accept(
        actor=window.clerk, application=take(household, personas.caseworker, applicant=child)
    )
    investigate(application, personas.caseworker, window.partner)
    with pytest.raises(ApplicationError):
        services.notice_publish(
            actor=personas.supervisor,
            community=household.area.parent,
            applications=[application],
            hotline="0512-12345",
        )
    application.refresh_from_db()
    approved = services.application_approve(
        actor=personas.admin, application=application, monthly_amount=Decimal("300")
    )
    assert approved.status == Application.Status.APPROVED
    assert window.rows["dibian"].notice_required is False


def test_2027_counts_monday_to_friday_plus_the_districts_own_days(
    household, personas, window, clock
):
    """No official 2027 is invented anywhere (no demo data, no migration): until the package
    holds it, 2027's limits are Monday to Friday plus the days the district admin entered."""
    from applications import workdays

    assert not workdays.official_calendar_known(2027)
    assert not CalendarDay.objects.filter(day__year=2027).exists()
    clock.set(D(2027, 2, 5))  # a Friday; the days entered below illustrate, not official
    before = take(household, personas.caseworker)
    assert before.accept_due == D(2027, 2, 10)  # Mon 8, Tue 9, Wed 10: weekdays only
    for day in (D(2027, 2, 8), D(2027, 2, 9)):
        services.calendar_day_set(actor=personas.admin, day=day, is_workday=False, note="春节")
    services.calendar_day_set(actor=personas.admin, day=D(2027, 2, 6), is_workday=True, note="调休")
    after = take(household, personas.caseworker, category="tekun")
    assert after.accept_due == D(2027, 2, 11)  # Sat 6 (worked), Wed 10, Thu 11
