"""Needs: recorded by a worker, or asked for by a resident (一键求助) and verified by one."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.errors import ApplicationError, check_version
from households.models import Area, Household, Member
from matching.models import Need, Referral
from matching.services._common import require_worker
from resources.vocabulary import SUBTYPES_BY_TYPE

if TYPE_CHECKING:
    from households.models import User


def _check_kind(type_: str, subtype: str) -> None:
    if subtype not in SUBTYPES_BY_TYPE.get(type_, ()):
        raise ValidationError({"subtype": _("所选细类不属于该需求类型。")})


def _check_member(household: Household, member: Member | None) -> None:
    if member is None:
        return
    if member.household_id != household.pk or member.status != Member.Status.ACTIVE:
        raise ValidationError({"member": _("请选择本户的在户成员。")})


@transaction.atomic
def need_create(
    *,
    actor: User | None,
    household: Household,
    type: str,
    subtype: str,
    urgency: int = Need.Urgency.MEDIUM,
    source: str = Need.Source.VISIT,
    description: str = "",
    quantity: int = 1,
    member: Member | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    client_id: uuid.UUID | None = None,
) -> Need:
    """Record a need of a household (or of one member) noticed by a worker.

    With `client_id` (made on the device), the same need sent again is found, not doubled."""
    require_worker(actor)
    if client_id is not None:
        stored = Need.objects.filter(household=household, client_id=client_id).first()
        if stored is not None:
            return stored
    if household.status != Household.Status.ACTIVE:
        raise ApplicationError(_("该家庭已销档，不能登记需求。"))
    if source in (Need.Source.SELF_REQUEST, Need.Source.CAMPAIGN):
        raise ValidationError({"source": _("该来源的需求不能直接登记。")})
    _check_kind(type, subtype)
    _check_member(household, member)
    need = Need(
        household=household,
        member=member,
        type=type,
        subtype=subtype,
        urgency=urgency,
        source=source,
        description=description.strip(),
        quantity=quantity,
        latitude=latitude,
        longitude=longitude,
        created_by=actor,
        status=Need.Status.OPEN,
        client_id=client_id,
    )
    need.full_clean()
    need.save()
    audit(
        actor=actor,
        verb="need.create",
        obj=need,
        household_id=household.pk,
        changes={"type": type, "subtype": subtype, "urgency": urgency},
    )
    return need


@transaction.atomic
def need_close(
    *, actor: User | None, need: Need, reason: str, expected_version: int | None = None
) -> Need:
    """Close an open need that will not be met (moved away, solved otherwise, refused)."""
    require_worker(actor)
    need = Need.objects.select_for_update().get(pk=need.pk)
    check_version(need, expected_version)
    if need.status not in Need.OPEN_STATUSES:
        raise ApplicationError(_("该需求已办结，不能再关闭。"))
    if need.referrals.filter(status__in=Referral.ACTIVE_STATUSES).exists():
        raise ApplicationError(_("该需求还有进行中的转介，请先撤回或办结。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写关闭原因。")})
    _close(need, actor=actor, reason=reason)
    audit(
        actor=actor,
        verb="need.close",
        obj=need,
        household_id=need.household_id,
        changes={"reason": need.close_reason},
    )
    return need


def _close(need: Need, *, actor: User | None, reason: str) -> None:
    need.status = Need.Status.CLOSED
    need.close_reason = reason.strip()[:200]
    need.closed_by = actor
    need.closed_at = timezone.now()
    need.version += 1
    need.save(
        update_fields=[
            "status",
            "close_reason",
            "closed_by",
            "closed_at",
            "version",
            "updated_at",
        ]
    )


# ---- 一键求助: a resident's own request ---------------------------------------------------


@transaction.atomic
def help_request_submit(
    *, phone: str, area: Area, type: str, subtype: str, description: str = ""
) -> Need:
    """A resident asks for help without an account: an unverified need in the community's
    inbox. The phone is kept for the worker to call back; nothing is sent back to the asker.
    """
    if area.level != Area.Level.COMMUNITY:
        raise ValidationError({"area": _("请选择所在社区。")})
    _check_kind(type, subtype)
    need = Need(
        type=type,
        subtype=subtype,
        source=Need.Source.SELF_REQUEST,
        status=Need.Status.UNVERIFIED,
        area=area,
        area_code=area.prefix,
        requester_phone=phone,
        description=description.strip(),
    )
    need.full_clean()
    need.save()
    audit(actor=None, verb="need.help_request", obj=need, changes={"area": area.code})
    return need


@transaction.atomic
def need_verify(
    *,
    actor: User | None,
    need: Need,
    household: Household,
    member: Member | None = None,
    type: str | None = None,
    subtype: str | None = None,
    urgency: int | None = None,
) -> Need:
    """A worker has called the resident back: the request becomes an open need of a household.

    The caller fetched `household` through the actor's scope; the type may be corrected.
    """
    require_worker(actor)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status != Need.Status.UNVERIFIED:
        raise ApplicationError(_("该求助已处理。"))
    if household.status != Household.Status.ACTIVE:
        raise ValidationError({"household": _("该家庭已销档。")})
    _check_member(household, member)
    need.type = type or need.type
    need.subtype = subtype or need.subtype
    _check_kind(need.type, need.subtype)
    need.urgency = urgency or need.urgency
    need.household, need.member = household, member
    need.status = Need.Status.OPEN
    need.verified_by, need.verified_at = actor, timezone.now()
    need.version += 1
    need.full_clean()
    need.save(
        update_fields=[
            "type",
            "subtype",
            "urgency",
            "household",
            "member",
            "status",
            "verified_by",
            "verified_at",
            "version",
            "updated_at",
        ]
    )
    audit(actor=actor, verb="need.verify", obj=need, household_id=household.pk)
    return need


@transaction.atomic
def need_discard(*, actor: User | None, need: Need, reason: str) -> Need:
    """A request that is not one (a prank, a duplicate, someone not in hardship)."""
    require_worker(actor)
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status != Need.Status.UNVERIFIED:
        raise ApplicationError(_("该求助已处理。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写不予受理的原因。")})
    _close(need, actor=actor, reason=reason)
    audit(actor=actor, verb="need.discard", obj=need, changes={"reason": need.close_reason})
    return need
