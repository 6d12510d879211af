"""Writes of 政策找人: policy rules, the nightly screening, working a lead, handling a flag."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from core.audit import audit, diff
from core.errors import ApplicationError, StaleVersionError
from matching.models import Need
from matching.services import need_create, referral_propose
from outreach import screening
from outreach.models import ExitFlag, Lead, PolicyRule
from outreach.predicates import CATALOGUE, clean_params
from resources.models import Resource
from resources.vocabulary import SUBTYPES_BY_TYPE

if TYPE_CHECKING:
    from households.models import User


def _check_version(row: Any, expected: int | None) -> None:
    if expected is not None and row.version != expected:
        raise StaleVersionError


# ---- policy rules --------------------------------------------------------------------------


def _clean_rule(rule: PolicyRule) -> None:
    if rule.policy.kind != Resource.Kind.POLICY:
        raise ValidationError({"policy": _("只有政策类资源可以设置认定条件。")})
    if rule.code not in CATALOGUE:
        raise ValidationError({"code": _("不认识的判定条件。")})
    rule.params = clean_params(rule.code, rule.params)
    rule.full_clean()


@transaction.atomic
def policy_rule_create(
    *, actor: User | None, policy: Resource, code: str, params: Any, active: bool = True
) -> PolicyRule:
    """Add a condition to a policy. The caller fetched `policy` for edit (its keeper)."""
    rule = PolicyRule(policy=policy, code=code, params=params, active=active)
    _clean_rule(rule)
    rule.save()
    audit(
        actor=actor,
        verb="policy_rule.create",
        obj=rule,
        changes={"policy": policy.pk, "code": code, "params": rule.params, "active": active},
    )
    return rule


@transaction.atomic
def policy_rule_update(
    *,
    actor: User | None,
    rule: PolicyRule,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> PolicyRule:
    """Change a condition's parameters or switch it on or off (its code stays)."""
    rule = PolicyRule.objects.select_for_update().select_related("policy").get(pk=rule.pk)
    _check_version(rule, expected_version)
    fields = [name for name in ("params", "active") if name in data]
    before = {name: getattr(rule, name) for name in fields}
    for name in fields:
        setattr(rule, name, data[name])
    _clean_rule(rule)
    changes = diff(rule, before, fields)
    if not changes:
        return rule
    rule.version += 1
    rule.save(update_fields=[*fields, "version", "updated_at"])
    audit(actor=actor, verb="policy_rule.update", obj=rule, changes=changes)
    return rule


# ---- the nightly screening -----------------------------------------------------------------


def outreach_screen(
    *, actor: User | None = None, today: dt.date | None = None
) -> screening.ScreenResult:
    """Find every lead and 应退尽退 flag that holds today, and drop the open ones that no
    longer do: the nightly job (also `manage.py outreach_screen`).

    One transaction, so a run killed half-way leaves the tables as they were. Idempotent: a
    second run changes no row. A run that finds another going returns with `skipped` set.
    """
    today = today or timezone.localdate()
    history = pghistory.context(job="outreach_screen", user=actor.pk if actor else None)
    with transaction.atomic(), history:
        if not screening.try_lock():
            return screening.ScreenResult(skipped=True)
        return screening.run(today)


# ---- working a lead ------------------------------------------------------------------------


def _lock_lead(lead: Lead) -> Lead:
    return Lead.objects.select_for_update().select_related("policy", "household").get(pk=lead.pk)


def _need_kind(policy: Resource, subtype: str | None) -> tuple[str, str]:
    """The need a policy meets: its first need type, and the subtype asked for or its first."""
    type_ = policy.need_types[0]
    allowed = SUBTYPES_BY_TYPE.get(type_, ())
    if subtype:
        if subtype not in allowed:
            raise ValidationError({"subtype": _("所选细类不属于该政策满足的需求类型。")})
        return type_, subtype
    listed = [s for s in policy.need_subtypes if s in allowed]
    return type_, (listed[0] if listed else allowed[-1])


@transaction.atomic
def lead_act(
    *,
    actor: User | None,
    lead: Lead,
    urgency: int = Need.Urgency.MEDIUM,
    subtype: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Lead:
    """Turn an open lead into a need and a referral to its policy, in one step.

    The need is recorded for the lead's household (and member), the referral proposed
    through matching's own services, so the policy's candidate checks hold as for any need.
    """
    if actor is not None and not can(actor, Can.WORK_NEEDS):
        raise PermissionDenied
    lead = _lock_lead(lead)
    _check_version(lead, expected_version)
    if lead.state != Lead.State.OPEN:
        raise ApplicationError(_("该线索已处理。"))
    type_, subtype = _need_kind(lead.policy, subtype)
    need = need_create(
        actor=actor,
        household=lead.household,
        member=lead.member,
        type=type_,
        subtype=subtype,
        urgency=urgency,
        source=Need.Source.VISIT,
        description=(note.strip() or lead.reason)[:2000],
    )
    referral = referral_propose(actor=actor, need=need, resource=lead.policy, note=note)
    lead.state = Lead.State.ACTED
    lead.need, lead.referral = need, referral
    lead.acted_by, lead.acted_at = actor, timezone.now()
    lead.version += 1
    lead.save(
        update_fields=["state", "need", "referral", "acted_by", "acted_at", "version", "updated_at"]
    )
    audit(
        actor=actor,
        verb="lead.act",
        obj=lead,
        household_id=lead.household_id,
        changes={"need": need.pk, "referral": referral.pk},
    )
    return lead


@transaction.atomic
def lead_dismiss(
    *, actor: User | None, lead: Lead, reason: str, expected_version: int | None = None
) -> Lead:
    """Dismiss an open lead with a reason. It is kept, and shown again only when the facts it
    was found on change (the screening compares their fingerprint)."""
    if actor is not None and not can(actor, Can.WORK_NEEDS):
        raise PermissionDenied
    lead = _lock_lead(lead)
    _check_version(lead, expected_version)
    if lead.state != Lead.State.OPEN:
        raise ApplicationError(_("该线索已处理。"))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写忽略原因。")})
    lead.state = Lead.State.DISMISSED
    lead.dismiss_reason = reason[:200]
    lead.dismissed_by, lead.dismissed_at = actor, timezone.now()
    lead.version += 1
    lead.save(
        update_fields=[
            "state",
            "dismiss_reason",
            "dismissed_by",
            "dismissed_at",
            "version",
            "updated_at",
        ]
    )
    audit(
        actor=actor,
        verb="lead.dismiss",
        obj=lead,
        household_id=lead.household_id,
        changes={"reason": lead.dismiss_reason},
    )
    return lead


# ---- 应退尽退 -------------------------------------------------------------------------------


@transaction.atomic
def exit_flag_resolve(
    *, actor: User | None, flag: ExitFlag, note: str, expected_version: int | None = None
) -> ExitFlag:
    """Mark a flag handled (reviewed, or found not to matter) with a note. The enrolment is
    untouched: ending or changing it is a 复核. The flag comes back if its facts change."""
    if actor is not None and not can(actor, Can.EDIT_REGISTRY):
        raise PermissionDenied
    flag = ExitFlag.objects.select_for_update().get(pk=flag.pk)
    _check_version(flag, expected_version)
    if flag.state != ExitFlag.State.OPEN:
        raise ApplicationError(_("该提示已处理。"))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("请填写处理说明。")})
    flag.state = ExitFlag.State.RESOLVED
    flag.resolve_note = note[:200]
    flag.resolved_by, flag.resolved_at = actor, timezone.now()
    flag.version += 1
    flag.save(
        update_fields=[
            "state",
            "resolve_note",
            "resolved_by",
            "resolved_at",
            "version",
            "updated_at",
        ]
    )
    audit(
        actor=actor,
        verb="exit_flag.resolve",
        obj=flag,
        household_id=flag.household_id,
        changes={"note": flag.resolve_note},
    )
    return flag
