"""The referral lifecycle: proposed → accepted/declined → delivered → confirmed → closed.

Each step locks the referral row, checks the transition, records who and when, moves the
need along, and leaves an audit event. Units of capacity or stock are taken when a referral
is proposed and given back when it is declined, withdrawn, or delivered short.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from core.audit import audit, log_access
from core.errors import ApplicationError, check_version
from core.models import AccessLog
from matching import engine
from matching.candidates import need_input, resource_input
from matching.models import Need, Referral
from matching.services._common import require_worker
from resources import allocation
from resources.models import Resource, StockMovement
from resources.selectors import provider_id_of

if TYPE_CHECKING:
    from django.http import HttpRequest

    from cases.models import Visit
    from households.models import User

S = Referral.Status


def _lock(referral: Referral) -> Referral:
    """Lock the referral and its need. Locks are taken need before resource everywhere
    (propose, batch run, campaigns), so a step that gives units back never deadlocks."""
    return (
        Referral.objects.select_for_update(of=("self", "need"))
        .select_related("need", "resource")
        .get(pk=referral.pk)
    )


def _expect(referral: Referral, *allowed: str) -> None:
    if referral.status not in allowed:
        raise ApplicationError(
            _("转介当前状态为“%(status)s”，不能执行此操作。")
            % {"status": referral.get_status_display()}
        )


def _require_provider_step(actor: User | None, referral: Referral) -> None:
    """The referral's own provider, or a worker recording the step on its behalf."""
    if actor is None or can(actor, Can.WORK_NEEDS):
        return
    if can(actor, Can.ACT_FOR_PROVIDER) and provider_id_of(actor) == referral.provider_id:
        return
    raise PermissionDenied


def _save(referral: Referral, fields: list[str]) -> None:
    referral.version += 1
    referral.save(update_fields=[*fields, "status", "version", "updated_at"])


def _need_status(need: Need, status: str, *, met: bool = False) -> None:
    """Move the need along with its referrals: matched, in progress, met, or open again."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status in (Need.Status.MET, Need.Status.CLOSED) or need.status == status:
        return
    need.status = status
    fields = ["status", "version", "updated_at"]
    if met:
        need.met_at = timezone.now()
        fields.append("met_at")
    need.version += 1
    need.save(update_fields=fields)


def _reopen_if_idle(need: Need) -> None:
    if not need.referrals.filter(status__in=Referral.ACTIVE_STATUSES).exists():
        _need_status(need, Need.Status.OPEN)


def _give_back(referral: Referral, quantity: int, actor: User | None) -> None:
    allocation.give_back(
        resource_id=referral.resource_id, quantity=quantity, period=referral.period_start
    )
    if referral.resource.kind == Resource.Kind.GOODS and quantity > 0:
        allocation.record_movements(
            [(referral.resource_id, StockMovement.Kind.RETURNED, quantity, referral.pk)],
            actor_id=actor.pk if actor else None,
        )


# ---- propose ---------------------------------------------------------------------------


@transaction.atomic
def referral_propose(
    *,
    actor: User | None,
    need: Need,
    resource: Resource,
    quantity: int | None = None,
    note: str = "",
    on: dt.date | None = None,
) -> Referral:
    """Refer a need to a resource, taking its units now, so no two workers promise the same.

    The resource must be a candidate for the need (type, area, categories, availability);
    the reasons of its score are kept with the referral.
    """
    require_worker(actor)
    day = on or timezone.localdate()
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status not in Need.OPEN_STATUSES or need.household_id is None:
        raise ApplicationError(_("只有待匹配或进行中的需求可以转介。"))
    quantity = quantity or need.quantity
    if quantity < 1:
        raise ValidationError({"quantity": _("数量须大于0。")})
    wanted = need_input(need, today=day)
    candidate = resource_input(resource.pk, today=day)
    if candidate is None or not engine.is_candidate(wanted, _unlimited(candidate)):
        raise ValidationError(
            {"resource": _("该资源不适用于此需求（类型、服务范围、对象或有效期不符）。")}
        )
    held = allocation.hold([resource.pk], day=day)[resource.pk]
    if not held.fits(quantity):
        raise ApplicationError(_("该资源本期名额或库存不足，请选择其他资源。"))
    reasons = engine.explain(wanted, candidate)
    referral = Referral(
        need=need,
        resource=resource,
        provider_id=resource.provider_id,
        household_id=need.household_id,
        quantity=quantity,
        period_start=held.period,
        score=sum(r.points for r in reasons),
        reasons=[r.as_json() for r in reasons],
        note=note.strip()[:200],
        proposed_by=actor,
        proposed_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        raise ValidationError({"resource": _("该需求已转介给此资源，尚未办结。")}) from None
    allocation.take({resource.pk: held}, [(resource.pk, quantity)])
    if resource.kind == Resource.Kind.GOODS:
        allocation.record_movements(
            [(resource.pk, StockMovement.Kind.GIVEN, quantity, referral.pk)],
            actor_id=actor.pk if actor else None,
        )
    if need.status == Need.Status.OPEN:
        _need_status(need, Need.Status.MATCHED)
    audit(
        actor=actor,
        verb="referral.propose",
        obj=referral,
        household_id=need.household_id,
        changes={"resource": resource.pk, "quantity": quantity},
    )
    return referral


def _unlimited(resource: engine.ResourceIn) -> engine.ResourceIn:
    """The candidate test without the units check: that one is made under the row lock."""
    return dataclasses.replace(resource, remaining=None)


# ---- the provider's steps --------------------------------------------------------------


@transaction.atomic
def referral_accept(
    *, actor: User | None, referral: Referral, expected_version: int | None = None
) -> Referral:
    referral = _lock(referral)
    _require_provider_step(actor, referral)
    check_version(referral, expected_version)
    _expect(referral, S.PROPOSED)
    referral.status = S.ACCEPTED
    referral.decided_by, referral.decided_at = actor, timezone.now()
    _save(referral, ["decided_by", "decided_at"])
    _need_status(referral.need, Need.Status.IN_PROGRESS)
    audit(actor=actor, verb="referral.accept", obj=referral, household_id=referral.household_id)
    return referral


@transaction.atomic
def referral_decline(
    *,
    actor: User | None,
    referral: Referral,
    reason: str,
    expected_version: int | None = None,
) -> Referral:
    """The provider cannot help: the units go back, and the need is open again."""
    referral = _lock(referral)
    _require_provider_step(actor, referral)
    check_version(referral, expected_version)
    _expect(referral, S.PROPOSED, S.ACCEPTED)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写拒绝原因。")})
    referral.status = S.DECLINED
    referral.decided_by, referral.decided_at = actor, timezone.now()
    referral.decline_reason = reason.strip()[:200]
    _save(referral, ["decided_by", "decided_at", "decline_reason"])
    _give_back(referral, referral.quantity, actor)
    _reopen_if_idle(referral.need)
    audit(
        actor=actor,
        verb="referral.decline",
        obj=referral,
        household_id=referral.household_id,
        changes={"reason": referral.decline_reason},
    )
    return referral


@transaction.atomic
def referral_deliver(
    *,
    actor: User | None,
    referral: Referral,
    quantity: int | None = None,
    delivered_on: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Referral:
    """Delivered: its confirmation is now due at the household's next follow-up."""
    referral = _lock(referral)
    _require_provider_step(actor, referral)
    check_version(referral, expected_version)
    _expect(referral, S.ACCEPTED)
    quantity = referral.quantity if quantity is None else quantity
    if not 1 <= quantity <= referral.quantity:
        raise ValidationError(
            {"quantity": _("交付数量应在1到%(n)d之间。") % {"n": referral.quantity}}
        )
    today = timezone.localdate()
    delivered_on = delivered_on or today
    if delivered_on > today:
        raise ValidationError({"delivered_on": _("交付日期不能晚于今天。")})
    referral.status = S.DELIVERED
    referral.delivered_by, referral.delivered_at = actor, timezone.now()
    referral.delivered_on, referral.delivered_quantity = delivered_on, quantity
    referral.delivery_note = note.strip()[:200]
    _save(
        referral,
        ["delivered_by", "delivered_at", "delivered_on", "delivered_quantity", "delivery_note"],
    )
    _give_back(referral, referral.quantity - quantity, actor)
    audit(
        actor=actor,
        verb="referral.deliver",
        obj=referral,
        household_id=referral.household_id,
        changes={"quantity": quantity, "delivered_on": delivered_on.isoformat()},
    )
    return referral


# ---- the worker's steps ----------------------------------------------------------------


@transaction.atomic
def referral_confirm(
    *,
    actor: User | None,
    referral: Referral,
    outcome: str,
    satisfaction: int | None = None,
    note: str = "",
    visit: Visit | None = None,
    expected_version: int | None = None,
) -> Referral:
    """The worker confirms the delivery with the household (回访): the loop is closed.

    `outcome` met marks the need met; otherwise the need is open again for another match.
    `visit` is the follow-up contact (cases.Visit) it was confirmed at, when there is one.
    """
    require_worker(actor)
    referral = _lock(referral)
    check_version(referral, expected_version)
    _expect(referral, S.DELIVERED)
    if outcome not in Referral.Outcome.values:
        raise ValidationError({"outcome": _("请选择帮扶效果。")})
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise ValidationError({"satisfaction": _("满意度为1到5分。")})
    referral.status = S.CONFIRMED
    referral.confirmed_by, referral.confirmed_at = actor, timezone.now()
    referral.outcome, referral.satisfaction = outcome, satisfaction
    referral.confirm_note = note.strip()[:200]
    fields = ["confirmed_by", "confirmed_at", "outcome", "satisfaction", "confirm_note"]
    if visit is not None:
        if visit.household_id != referral.household_id:
            raise ValidationError({"visit": _("回访记录须是本户的走访。")})
        referral.confirmation_visit = visit
        fields.append("confirmation_visit")
    _save(referral, fields)
    if outcome == Referral.Outcome.MET:
        _need_status(referral.need, Need.Status.MET, met=True)
    else:
        _reopen_if_idle(referral.need)
    audit(
        actor=actor,
        verb="referral.confirm",
        obj=referral,
        household_id=referral.household_id,
        changes={"outcome": outcome, "satisfaction": satisfaction},
    )
    return referral


@transaction.atomic
def referral_close(
    *, actor: User | None, referral: Referral, expected_version: int | None = None
) -> Referral:
    """File a confirmed referral (办结)."""
    require_worker(actor)
    referral = _lock(referral)
    check_version(referral, expected_version)
    _expect(referral, S.CONFIRMED)
    referral.status = S.CLOSED
    referral.closed_by, referral.closed_at = actor, timezone.now()
    _save(referral, ["closed_by", "closed_at"])
    audit(actor=actor, verb="referral.close", obj=referral, household_id=referral.household_id)
    return referral


@transaction.atomic
def referral_cancel(
    *,
    actor: User | None,
    referral: Referral,
    reason: str,
    expected_version: int | None = None,
) -> Referral:
    """The worker withdraws a referral not yet delivered: the units go back."""
    require_worker(actor)
    referral = _lock(referral)
    check_version(referral, expected_version)
    _expect(referral, S.PROPOSED, S.ACCEPTED)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写撤回原因。")})
    referral.status = S.CANCELLED
    referral.closed_by, referral.closed_at = actor, timezone.now()
    referral.close_reason = reason.strip()[:200]
    _save(referral, ["closed_by", "closed_at", "close_reason"])
    _give_back(referral, referral.quantity, actor)
    _reopen_if_idle(referral.need)
    audit(
        actor=actor,
        verb="referral.cancel",
        obj=referral,
        household_id=referral.household_id,
        changes={"reason": referral.close_reason},
    )
    return referral


@transaction.atomic
def referral_phone_reveal(
    *, actor: User, referral: Referral, request: HttpRequest | None = None
) -> str:
    """The household's full phone for the provider delivering the referral, logged as a view
    of personal data. Only while the referral is accepted: before, the provider has not
    taken the task; after delivery, it has no more reason to call."""
    from matching.selectors import referral_contact_phone

    _expect(referral, S.ACCEPTED)
    if not (can(actor, Can.ACT_FOR_PROVIDER) and provider_id_of(actor) == referral.provider_id):
        raise PermissionDenied
    phone = referral_contact_phone(referral)
    log_access(
        actor=actor,
        action=AccessLog.Action.VIEW_PHONE,
        request=request,
        obj=referral,
        household_id=referral.household_id,
    )
    return phone
