"""Writes of standards and reviews. Each is atomic, checks its rules, and leaves an audit event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from access.scope import covers
from core.audit import audit, diff
from core.errors import ApplicationError, StaleVersionError
from households.models import Enrolment
from reviews.dues import keep_review_dues
from reviews.models import Review, Standard

if TYPE_CHECKING:
    from cases.models import Visit
    from households.models import User

STANDARD_FIELDS = [
    "effective_date",
    "dibao",
    "tekun_basic",
    "tekun_care_full",
    "tekun_care_partial",
    "tekun_care_none",
    "dibian_factor",
    "rigid_share",
    "dibao_stable_months",
    "dibao_unstable_months",
    "tekun_months",
    "dibian_months",
    "zhichu_months",
]


def _save_standard(standard: Standard) -> None:
    standard.full_clean(exclude=["district"])
    try:
        with transaction.atomic():
            standard.save()
    except IntegrityError:
        raise ValidationError(
            {"effective_date": _("该区在这一执行日期已有一套标准，请修改那一条。")}
        ) from None


@transaction.atomic
def standard_create(*, actor: User | None, data: dict[str, Any]) -> Standard:
    """A new set of standards for the actor's district from `effective_date` on."""
    if not can(actor, Can.EDIT_STANDARDS):
        raise PermissionDenied
    standard = Standard(district=actor.area)
    for name in STANDARD_FIELDS:
        if name in data:
            setattr(standard, name, data[name])
    _save_standard(standard)
    audit(
        actor=actor,
        verb="standard.create",
        obj=standard,
        changes={name: str(getattr(standard, name)) for name in STANDARD_FIELDS},
    )
    return standard


@transaction.atomic
def standard_update(
    *, actor: User | None, standard: Standard, data: dict[str, Any], version: int | None = None
) -> Standard:
    if not can(actor, Can.EDIT_STANDARDS) or standard.district_id != actor.area_id:
        raise PermissionDenied
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if version is not None and standard.version != version:
        raise StaleVersionError
    fields = [name for name in STANDARD_FIELDS if name in data]
    before = {name: getattr(standard, name) for name in fields}
    for name in fields:
        setattr(standard, name, data[name])
    changes = diff(standard, before, fields)
    if not changes:
        return standard
    standard.version += 1
    _save_standard(standard)
    audit(actor=actor, verb="standard.update", obj=standard, changes=changes)
    return standard


# ---- reviews ---------------------------------------------------------------------------


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("请填写正确的金额。")}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e8"):
        raise ValidationError({"amount": _("请填写正确的金额。")})
    return amount


@transaction.atomic
def enrolment_review(
    *,
    actor: User | None,
    enrolment: Enrolment,
    outcome: str,
    reason: str,
    amount: Decimal | str | None = None,
    visit: Visit | None = None,
    version: int | None = None,
    today: dt.date | None = None,
) -> Review:
    """Record a 复核 of an approved enrolment and apply its outcome to the enrolment.

    维持不变 and 调整金额 start the next review period (its due date is set again);
    暂停 and 终止 leave no review due. `version`, when given, is the enrolment's version the
    reviewer saw: a second submit of the same form finds it changed and stores nothing.
    """
    if actor is not None and not can(actor, Can.RECORD_REVIEW):
        raise PermissionDenied
    if outcome not in Review.Outcome.values:
        raise ValidationError({"outcome": _("请选择复核结果。")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写复核理由。")})
    new_amount = _amount(amount)
    enrolment = (
        Enrolment.objects.select_for_update().select_related("household").get(pk=enrolment.pk)
    )
    if actor is not None and not covers(actor, enrolment.household.area_code):
        raise PermissionDenied
    if version is not None and enrolment.version != version:
        raise StaleVersionError
    if enrolment.status != Enrolment.Status.APPROVED:
        raise ApplicationError(
            _("当前状态为“%(s)s”，只有已批准的救助可以复核。")
            % {"s": enrolment.get_status_display()}
        )
    if outcome == Review.Outcome.AMOUNT:
        if new_amount is None:
            raise ValidationError({"amount": _("调整金额时请填写新的月救助金额。")})
        if new_amount == enrolment.monthly_amount:
            raise ValidationError({"amount": _("新金额与原金额相同，请选择“维持不变”。")})
    elif new_amount is not None and new_amount != enrolment.monthly_amount:
        raise ValidationError({"amount": _("只有“调整金额”可以改变月救助金额。")})
    if visit is not None and visit.household_id != enrolment.household_id:
        raise ValidationError({"visit": _("走访记录不属于该家庭。")})
    day = today or timezone.localdate()
    fields = ["status", "monthly_amount", "end_date", "review_due"]
    before = {name: getattr(enrolment, name) for name in fields}
    review = Review.objects.create(
        enrolment=enrolment,
        reviewed_on=day,
        outcome=outcome,
        reason=reason,
        amount_before=enrolment.monthly_amount,
        amount_after=new_amount if outcome == Review.Outcome.AMOUNT else enrolment.monthly_amount,
        due_before=enrolment.review_due,
        reviewer=actor,
        visit=visit,
    )
    if outcome == Review.Outcome.AMOUNT:
        enrolment.monthly_amount = new_amount
    elif outcome == Review.Outcome.SUSPEND:
        enrolment.status = Enrolment.Status.SUSPENDED
        enrolment.review_due = None
    elif outcome == Review.Outcome.END:
        enrolment.status = Enrolment.Status.ENDED
        enrolment.end_date = max(day, enrolment.start_date)
        enrolment.review_due = None
    enrolment.version += 1
    enrolment.save(update_fields=[*fields, "version", "updated_at"])
    if outcome in (Review.Outcome.UNCHANGED, Review.Outcome.AMOUNT):
        keep_review_dues(today=day, enrolment_ids=[enrolment.pk])
        enrolment.refresh_from_db(fields=["review_due"])
    audit(
        actor=actor,
        verb="enrolment.review",
        obj=enrolment,
        household_id=enrolment.household_id,
        changes={
            **diff(enrolment, before, fields),
            "outcome": outcome,
            "reason": reason,
        },
    )
    return review


def review_dues_keep(*, today: dt.date | None = None) -> int:
    """The nightly job's part: every approved enrolment's review due date, set-based."""
    with transaction.atomic(), pghistory.context(job="review_dues_keep"):
        return keep_review_dues(today=today)
