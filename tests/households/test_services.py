import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from core.errors import ApplicationError, StaleVersionError
from core.models import AccessLog, AuditEvent
from households import idnumber, services
from households.models import Category, Enrolment, Member
from tests import factories

pytestmark = pytest.mark.django_db


def cat(code):
    return Category.objects.get(code=code)


# ---- households and members ------------------------------------------------------------


def test_household_create_stores_head_and_audits(personas, areas):
    home = factories.household(area=areas.grid, actor=personas.caseworker)
    assert home.head.relation == Member.Relation.HEAD
    assert home.area_code == areas.grid.prefix
    assert AuditEvent.objects.filter(verb="household.create", object_id=home.pk).exists()


def test_identity_number_is_never_stored_in_clear(personas, household):
    member = household.members.first()
    number = idnumber.decrypt(member.id_number_cipher)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM households_member WHERE id_number_masked = %s "
            "OR id_number_hash = %s OR encode(id_number_cipher, 'escape') LIKE %s",
            [number, number, f"%{number}%"],
        )
        assert cursor.fetchone()[0] == 0


def test_member_birth_date_and_sex_come_from_the_number(household, personas):
    number = idnumber.compose("320506", dt.date(1942, 3, 4), 124)
    member = factories.member(household=household, actor=personas.caseworker, id_number=number)
    assert member.birth_date == dt.date(1942, 3, 4)
    assert member.sex == "F"
    assert member.id_number_masked == number[:4] + "*" * 10 + number[-4:]


def test_member_add_refuses_active_duplicate_anywhere(household, far_household, personas):
    number = idnumber.decrypt(far_household.head.id_number_cipher)
    with pytest.raises(ValidationError) as caught:
        factories.member(household=household, actor=personas.caseworker, id_number=number)
    assert "其他地区" in caught.value.message_dict["id_number"][0]


def test_a_moved_out_member_frees_the_number(household, far_household, personas):
    head = far_household.head
    number = idnumber.decrypt(head.id_number_cipher)
    services.member_update(actor=personas.outsider, member=head, data={"status": "moved_out"})
    moved = factories.member(household=household, actor=personas.caseworker, id_number=number)
    assert moved.status == Member.Status.ACTIVE
    with pytest.raises(ValidationError):
        services.member_update(actor=personas.outsider, member=head, data={"status": "active"})


def test_member_add_reports_every_bad_field_at_once(household, personas):
    with pytest.raises(ValidationError) as caught:
        services.member_add(
            actor=personas.caseworker,
            household=household,
            data={
                "name": "",
                "id_number": "123",
                "relation": "child",
            },
        )
    assert {"name", "id_number"} <= set(caught.value.message_dict)
    assert household.members.count() == 2


def test_disability_type_and_grade_go_together(household, personas):
    with pytest.raises(ValidationError):
        factories.member(
            household=household,
            actor=personas.caseworker,
            disability_type="physical",
            disability_grade=None,
        )


def test_update_with_stale_version_changes_nothing(household, personas):
    services.household_update(
        actor=personas.caseworker,
        household=household,
        data={"address": "新地址"},
        expected_version=1,
    )
    with pytest.raises(StaleVersionError):
        services.household_update(
            actor=personas.teammate,
            household=household,
            data={"address": "旧页面的地址"},
            expected_version=1,
        )
    household.refresh_from_db()
    assert household.address == "新地址" and household.version == 2


def test_update_audits_the_diff(household, personas):
    services.household_update(
        actor=personas.caseworker, household=household, data={"phone": "13912345678"}
    )
    event = AuditEvent.objects.get(verb="household.update")
    assert event.changes == {"phone": ["", "13912345678"]}
    assert event.actor == personas.caseworker


def test_auditor_cannot_write(household, personas):
    with pytest.raises(PermissionDenied):
        services.household_update(actor=personas.viewer, household=household, data={"address": "x"})


def test_reveal_logs_and_requires_permission(household, personas):
    member = household.members.first()
    with pytest.raises(PermissionDenied):
        services.member_reveal_id_number(actor=personas.caseworker, member=member, reason="核对")
    number = services.member_reveal_id_number(actor=personas.admin, member=member, reason="核对")
    assert idnumber.parse(number)
    assert AccessLog.objects.filter(action="reveal_id", actor=personas.admin).count() == 1


def test_access_log_is_append_only(household, personas):
    from django.db import DatabaseError, transaction

    services.member_reveal_id_number(
        actor=personas.admin, member=household.members.first(), reason="核对"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.update(username="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.all().delete()


# ---- enrolments and their combination rules --------------------------------------------


def test_apply_covers_all_active_members_by_default(household, personas):
    enrolment = services.enrolment_apply(
        actor=personas.caseworker,
        household=household,
        category=cat("dibao"),
        start_date=dt.date(2026, 1, 1),
        monthly_amount=Decimal("1200"),
    )
    assert enrolment.status == Enrolment.Status.APPLIED
    assert enrolment.members.count() == 2


def test_dibao_and_dibian_cannot_overlap(household):
    factories.enrolment(household=household, category="dibao")
    with pytest.raises(ValidationError, match="低保和低边"):
        factories.enrolment(household=household, category="dibian", start=dt.date(2026, 6, 1))


def test_dibian_after_dibao_ended_is_allowed(household):
    first = factories.enrolment(household=household, category="dibao")
    services.enrolment_end(
        actor=None, enrolment=first, reason="收入超标", end_date=dt.date(2026, 3, 31)
    )
    later = factories.enrolment(household=household, category="dibian", start=dt.date(2026, 4, 1))
    assert later.status == Enrolment.Status.APPROVED


def test_tekun_person_cannot_be_counted_in_dibao(household):
    son = household.members.get(relation="child")
    factories.enrolment(household=household, category="tekun", member=son)
    with pytest.raises(ValidationError, match="王小明 已是特困供养人员"):
        factories.enrolment(household=household, category="dibao")
    head_only = factories.enrolment(household=household, category="dibao", members=[household.head])
    assert list(head_only.members.all()) == [household.head]


def test_member_in_dibao_cannot_become_tekun(household):
    factories.enrolment(household=household, category="dibao")
    son = household.members.get(relation="child")
    with pytest.raises(ValidationError, match="不能同时认定为特困"):
        factories.enrolment(household=household, category="tekun", member=son)


def test_tekun_needs_one_member(household):
    with pytest.raises(ValidationError, match="特困按人认定"):
        factories.enrolment(household=household, category="tekun")


def test_linshi_needs_an_end_date(household):
    with pytest.raises(ValidationError, match="终止日期"):
        factories.enrolment(household=household, category="linshi")
    ok = factories.enrolment(household=household, category="linshi", end_date=dt.date(2026, 3, 31))
    assert ok.end_date == dt.date(2026, 3, 31)


def test_end_date_before_start_is_refused(household):
    with pytest.raises(ValidationError, match="不能早于"):
        factories.enrolment(household=household, category="zhichu", end_date=dt.date(2025, 1, 1))


def test_covered_members_must_belong_to_household(household, far_household):
    with pytest.raises(ValidationError, match="不是本户在户成员"):
        factories.enrolment(household=household, members=[far_household.head])


def test_approve_rechecks_rules_and_only_from_applied(household, personas):
    pending_dibian = factories.enrolment(household=household, category="dibian", approve=False)
    # A 低保 application is refused while the 低边 application is pending.
    with pytest.raises(ValidationError):
        factories.enrolment(household=household, category="dibao", approve=False)
    approved = services.enrolment_approve(actor=personas.admin, enrolment=pending_dibian)
    with pytest.raises(ApplicationError, match="不能执行此操作"):
        services.enrolment_approve(actor=personas.admin, enrolment=approved)


def test_only_district_admin_decides(household, personas):
    pending = factories.enrolment(household=household, approve=False)
    for actor in (personas.caseworker, personas.supervisor, personas.viewer):
        with pytest.raises(PermissionDenied):
            services.enrolment_approve(actor=actor, enrolment=pending)


def test_reject_records_reason_and_auditor(household, personas):
    pending = factories.enrolment(household=household, approve=False)
    rejected = services.enrolment_reject(
        actor=personas.admin, enrolment=pending, reason="收入超过低保标准"
    )
    assert rejected.status == Enrolment.Status.REJECTED
    assert rejected.decision_reason == "收入超过低保标准"
    event = AuditEvent.objects.get(verb="enrolment.reject")
    assert event.changes["status"] == ["applied", "rejected"]
