"""Reads of policy rules, leads and 应退尽退 flags, each from a scoped root.

Every scope call of the app is in this module (`_scoped`, `_visible_policies`, `under_area`),
through access.scope like every app's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet

from access.capabilities import Can, can
from access.scope import like, scope_prefix, scoped, within
from core.selectors import filtered as _filtered
from core.selectors import get_by_uuid as _get
from households.models import Area, User
from outreach.filters import ExitFlagFilter, LeadFilter, PolicyRuleFilter
from outreach.models import ExitFlag, Lead, PolicyRule
from resources.models import Resource
from resources.selectors import resource_get_for_edit, resource_qs_visible_to

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser | None


def _scoped(qs: QuerySet, *, actor: Actor) -> QuerySet:
    return scoped(qs, actor=actor, field="area_code")


def under_area(qs: QuerySet, *, code: str) -> QuerySet:
    """Rows (with an `area_code`) inside the area with this code; none for an unknown code."""
    area = Area.objects.filter(code=code).only("prefix").first()
    if area is None:
        return qs.none()
    return qs.filter(within("area_code", area.prefix))


# ---- policy rules --------------------------------------------------------------------------


def _visible_policies(*, actor: Actor) -> QuerySet[Resource]:
    """Policies of the pool the actor reads (providers read no eligibility rules)."""
    if not can(actor, Can.VIEW_REGISTRY):
        return Resource.objects.none()
    return resource_qs_visible_to(actor=actor).filter(kind=Resource.Kind.POLICY)


def policy_list(*, actor: Actor) -> QuerySet[Resource]:
    """The visible policies with how many active rules each carries."""
    return (
        _visible_policies(actor=actor)
        .annotate(rule_count=Count("eligibility_rules", filter=Q(eligibility_rules__active=True)))
        .select_related("provider")
        .order_by("name", "id")
    )


def policy_get(*, actor: Actor, policy_id: UUID | str) -> Resource:
    return _get(_visible_policies(actor=actor), policy_id)


def policy_get_for_edit(*, actor: Actor, policy_id: UUID | str) -> Resource:
    """A policy whose rules the actor keeps: 404 when invisible, 403 when not theirs."""
    policy = policy_get(actor=actor, policy_id=policy_id)
    return resource_get_for_edit(actor=actor, resource_id=policy.uuid)


def policy_keepable(*, actor: Actor, policy: Resource) -> bool:
    """Whether the actor keeps this (visible) policy, and so its rules."""
    try:
        policy_get_for_edit(actor=actor, policy_id=policy.uuid)
    except PermissionDenied:
        return False
    return True


def rules_by_policy(*, actor: Actor, policies: list[Resource]) -> dict[int, list[PolicyRule]]:
    """The rules (active or not) of these visible policies, by policy id."""
    out: dict[int, list[PolicyRule]] = {}
    rows = policy_rule_qs_visible_to(actor=actor).filter(policy__in=[p.pk for p in policies])
    for rule in rows.order_by("policy_id", "id"):
        out.setdefault(rule.policy_id, []).append(rule)
    return out


def policy_rule_qs_visible_to(*, actor: Actor) -> QuerySet[PolicyRule]:
    return PolicyRule.objects.filter(policy__in=_visible_policies(actor=actor))


def policy_rule_list(
    *, actor: Actor, filters: dict[str, Any] | None = None
) -> QuerySet[PolicyRule]:
    qs = policy_rule_qs_visible_to(actor=actor).select_related("policy")
    return _filtered(PolicyRuleFilter, qs, filters).order_by("policy_id", "id")


def policy_rule_get(*, actor: Actor, rule_id: UUID | str) -> PolicyRule:
    return _get(policy_rule_qs_visible_to(actor=actor).select_related("policy"), rule_id)


def policy_rule_get_for_edit(*, actor: Actor, rule_id: UUID | str) -> PolicyRule:
    """404 when invisible, 403 when the actor does not keep the rule's policy."""
    rule = policy_rule_get(actor=actor, rule_id=rule_id)
    policy_get_for_edit(actor=actor, policy_id=rule.policy.uuid)
    return rule


# ---- leads ---------------------------------------------------------------------------------


def lead_qs_visible_to(*, actor: Actor) -> QuerySet[Lead]:
    """Leads of households in the actor's area, for those who read needs."""
    if not can(actor, Can.VIEW_NEEDS):
        return Lead.objects.none()
    return _scoped(Lead.objects.all(), actor=actor)


def lead_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Lead]:
    qs = lead_qs_visible_to(actor=actor).select_related(
        "policy", "household__head", "member", "dismissed_by", "acted_by"
    )
    return _filtered(LeadFilter, qs, filters, actor=actor).order_by("-id")


def lead_get(*, actor: Actor, lead_id: UUID | str) -> Lead:
    qs = lead_qs_visible_to(actor=actor).select_related(
        "policy", "household__head", "household__area", "member", "need", "referral"
    )
    return _get(qs, lead_id)


def lead_get_for_work(*, actor: Actor, lead_id: UUID | str) -> Lead:
    """A visible lead the actor may work: 404 when invisible, 403 when read-only."""
    lead = lead_get(actor=actor, lead_id=lead_id)
    if not can(actor, Can.WORK_NEEDS):
        raise PermissionDenied
    return lead


def worklist_leads(*, actor: Actor, limit: int = 20) -> list[Lead]:
    """Open leads for the worker's worklist: a social worker's own households (and those
    with no worker yet); street and district staff see every open lead in scope."""
    qs = lead_list(actor=actor, filters={"state": [Lead.State.OPEN]})
    if getattr(actor, "role", None) == User.Role.SOCIAL_WORKER:
        qs = qs.filter(Q(household__worker=actor) | Q(household__worker__isnull=True))
    return list(qs[:limit])


def household_leads(*, actor: Actor, household_id: int) -> list[Lead]:
    """The open leads of one household, for its page."""
    qs = lead_qs_visible_to(actor=actor).filter(household_id=household_id, state=Lead.State.OPEN)
    return list(qs.select_related("policy", "member").order_by("id"))


# ---- 应退尽退 -------------------------------------------------------------------------------


def exit_flag_qs_visible_to(*, actor: Actor) -> QuerySet[ExitFlag]:
    if not can(actor, Can.VIEW_REGISTRY):
        return ExitFlag.objects.none()
    return _scoped(ExitFlag.objects.all(), actor=actor)


def exit_flag_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[ExitFlag]:
    qs = exit_flag_qs_visible_to(actor=actor).select_related(
        "enrolment__category", "household__head", "resolved_by"
    )
    return _filtered(ExitFlagFilter, qs, filters, actor=actor).order_by("-id")


def exit_flag_get(*, actor: Actor, flag_id: UUID | str) -> ExitFlag:
    qs = exit_flag_qs_visible_to(actor=actor).select_related(
        "enrolment__category", "household__head"
    )
    return _get(qs, flag_id)


def exit_flag_get_for_work(*, actor: Actor, flag_id: UUID | str) -> ExitFlag:
    flag = exit_flag_get(actor=actor, flag_id=flag_id)
    if not can(actor, Can.EDIT_REGISTRY):
        raise PermissionDenied
    return flag


def household_flags(*, actor: Actor, household_id: int) -> list[ExitFlag]:
    """The open 应退尽退 prompts of one household, for its page."""
    qs = exit_flag_qs_visible_to(actor=actor).filter(
        household_id=household_id, state=ExitFlag.State.OPEN
    )
    return list(qs.select_related("enrolment__category").order_by("id"))


def scope_like(actor: Actor) -> str | None:
    """The actor's scope as a LIKE pattern for the dashboard's raw SQL, or None."""
    prefix = scope_prefix(actor)
    return None if prefix is None else like(prefix)


# ---- the street's dashboard ----------------------------------------------------------------


def lead_counts(*, area_prefix: str, child_length: int) -> list[tuple[str, int, int, int]]:
    """Open leads by child area (the code cut to `child_length`, '' for rows in none) and
    policy, with the open 应退尽退 flags per child as policy 0: (child, policy id, leads,
    flags). The caller's area came from the dashboard's scoped `dashboard_area`."""
    from django.db import connections, router

    from config.db_router import reading_from_replica

    child = (
        f"CASE WHEN length(area_code) >= {int(child_length)}"
        f" THEN substr(area_code, 1, {int(child_length)}) ELSE '' END"
        if child_length
        else "''"
    )
    sql = f"""
SELECT {child} AS child, policy_id, count(*), 0 FROM outreach_lead
 WHERE area_code LIKE %(like)s AND state = 'open' GROUP BY 1, 2
UNION ALL
SELECT {child}, 0, 0, count(*) FROM outreach_exitflag
 WHERE area_code LIKE %(like)s AND state = 'open' GROUP BY 1
"""  # noqa: S608 — the child expression is built from an integer; the pattern is a parameter
    # Like every dashboard panel, from the replica.
    with reading_from_replica(), connections[router.db_for_read(Lead)].cursor() as cursor:
        cursor.execute(sql, {"like": like(area_prefix)})
        return list(cursor.fetchall())
