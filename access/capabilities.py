"""What kind of act each role may do, for every app, in one table.

`can(actor, Can.X)` answers "may this user ever do X?" and nothing about which rows: scope
(`access.scope`) decides those. A grant is a set of roles, how the user must be bound to an
area (not at all, to any area, or to a district), and for the few acts of the highest
trust a Django permission besides the role.

A user that is None, anonymous or inactive may do nothing. `actor=None` as "the system"
(tasks, commands) is the caller's rule, decided at the call site before asking `can`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from access.roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from access.roles import SignedIn

    Actor = SignedIn | AnonymousUser | None


class Can(enum.Enum):
    # the registry: households, members, enrolments
    VIEW_REGISTRY = "view_registry"
    EDIT_REGISTRY = "edit_registry"
    APPLY_ENROLMENT = "apply_enrolment"
    DECIDE_ENROLMENT = "decide_enrolment"
    REVEAL_ID_NUMBER = "reveal_id_number"
    # case work: visits, follow-ups, alerts, activities, tier rules
    VIEW_CASES = "view_cases"
    LOG_VISIT = "log_visit"
    REASSIGN = "reassign"
    VIEW_CASELOAD = "view_caseload"
    MANAGE_TIER_RULES = "manage_tier_rules"
    RECORD_ACTIVITY = "record_activity"
    # the resource pool and the provider portal
    VIEW_POOL = "view_pool"
    KEEP_POOL = "keep_pool"
    ACT_FOR_PROVIDER = "act_for_provider"
    # needs and referrals
    VIEW_NEEDS = "view_needs"
    WORK_NEEDS = "work_needs"
    # standards and 复核
    EDIT_STANDARDS = "edit_standards"
    RECORD_REVIEW = "record_review"
    # 一门受理: applications, investigations, 公示, the responsibility list
    TAKE_APPLICATION = "take_application"
    INVESTIGATE = "investigate"
    RUN_STREET_STEPS = "run_street_steps"
    KEEP_RESPONSIBILITY_LIST = "keep_responsibility_list"
    # dashboards, ledgers, the access log, accounts
    VIEW_DASHBOARD = "view_dashboard"
    EXPORT_LEDGERS = "export_ledgers"
    EXPORT_FULL_ID_NUMBERS = "export_full_id_numbers"
    IMPORT_LEDGERS = "import_ledgers"
    SEARCH_ACCESS_LOG = "search_access_log"
    KEEP_USERS = "keep_users"


class Bound(enum.Enum):
    """How the user must be bound to an area for the grant to hold."""

    NONE = "none"  # the role is enough (scope still decides which rows)
    AREA = "area"  # bound to some area: an unbound user could act on nothing
    DISTRICT = "district"  # bound to a district: the act is district-wide


@dataclass(frozen=True)
class Grant:
    roles: frozenset[str]
    bound: Bound = Bound.NONE
    # "app_label.codename": also needed (a superuser holds every permission).
    permission: str | None = None


_READERS = frozenset({Role.SOCIAL_WORKER, Role.STREET_STAFF, Role.DISTRICT_ADMIN, Role.AUDITOR})
_WORKERS = frozenset({Role.SOCIAL_WORKER, Role.STREET_STAFF, Role.DISTRICT_ADMIN})
_KEEPERS = frozenset({Role.STREET_STAFF, Role.DISTRICT_ADMIN})
_DISTRICT = frozenset({Role.DISTRICT_ADMIN})

GRANTS: dict[Can, Grant] = {
    Can.VIEW_REGISTRY: Grant(_READERS),
    Can.EDIT_REGISTRY: Grant(_WORKERS),
    Can.APPLY_ENROLMENT: Grant(_WORKERS),
    Can.DECIDE_ENROLMENT: Grant(_DISTRICT),
    # Auditors never see full numbers; the others need the explicit reveal permission.
    Can.REVEAL_ID_NUMBER: Grant(_WORKERS, permission="households.reveal_id_number"),
    # Visits, follow-ups and alerts are read by whoever reads the registry; logging a visit
    # changes the registry too (member changes), so it takes the same role as editing it.
    Can.VIEW_CASES: Grant(_READERS),
    Can.LOG_VISIT: Grant(_WORKERS),
    Can.REASSIGN: Grant(_KEEPERS),
    # The overdue overview by community and worker.
    Can.VIEW_CASELOAD: Grant(_KEEPERS | {Role.AUDITOR}),
    # The rules are district-wide: a user bound to no area, or a lower one, keeps none.
    Can.MANAGE_TIER_RULES: Grant(_DISTRICT, Bound.DISTRICT),
    Can.RECORD_ACTIVITY: Grant(_WORKERS),
    Can.VIEW_POOL: Grant(_READERS),
    # The district keeps the pool; a street office keeps the part of it inside its street.
    Can.KEEP_POOL: Grant(_KEEPERS),
    # A provider's user: only the referrals addressed to it, with the least personal data.
    Can.ACT_FOR_PROVIDER: Grant(frozenset({Role.PROVIDER})),
    Can.VIEW_NEEDS: Grant(_READERS),
    # Record needs, verify requests, run matching, propose and confirm referrals.
    Can.WORK_NEEDS: Grant(_WORKERS),
    # Standards are a district's: only its admin, bound to it, keeps them.
    Can.EDIT_STANDARDS: Grant(_DISTRICT, Bound.DISTRICT),
    Can.RECORD_REVIEW: Grant(_WORKERS),
    # An application is taken at the window or on a visit, and investigated, by those who
    # edit the registry; 公示 and objections are the street office's (and the district's);
    # the responsibility list and the district's calendar days are the district admin's.
    Can.TAKE_APPLICATION: Grant(_WORKERS),
    Can.INVESTIGATE: Grant(_WORKERS),
    Can.RUN_STREET_STEPS: Grant(_KEEPERS),
    Can.KEEP_RESPONSIBILITY_LIST: Grant(_DISTRICT),
    Can.VIEW_DASHBOARD: Grant(_READERS),
    # Roles that read the registry export the ledgers of their area (providers do not).
    Can.EXPORT_LEDGERS: Grant(_READERS, Bound.AREA),
    Can.EXPORT_FULL_ID_NUMBERS: Grant(
        _WORKERS, Bound.AREA, permission="households.export_full_id_number"
    ),
    Can.IMPORT_LEDGERS: Grant(_WORKERS, Bound.AREA),
    Can.SEARCH_ACCESS_LOG: Grant(frozenset({Role.AUDITOR, Role.DISTRICT_ADMIN})),
    Can.KEEP_USERS: Grant(_KEEPERS, Bound.AREA),
}


def can(actor: Actor, capability: Can) -> bool:
    """Whether the actor may do this kind of act at all. Says nothing about which objects."""
    if actor is None:
        return False
    if not actor.is_authenticated:
        return False
    if not actor.is_active:
        return False
    grant = GRANTS[capability]
    if actor.role not in grant.roles:
        return False
    if not _bound(actor, grant.bound):
        return False
    return grant.permission is None or _holds(actor, grant.permission)


def _bound(actor: Any, bound: Bound) -> bool:
    if bound is Bound.NONE:
        return True
    if actor.area_id is None:
        return False
    return bound is Bound.AREA or actor.area.level == "district"


def _holds(actor: Any, permission: str) -> bool:
    """One EXISTS query, kept on the user for the request, rather than has_perm's two, which
    load every permission of the user and of their groups: the reveal check runs on every
    household page."""
    if actor.is_superuser:
        return True
    held: dict[str, bool] = actor.__dict__.setdefault("_access_permissions", {})
    if permission not in held:
        from django.contrib.auth.models import Permission
        from django.db.models import Q

        app_label, codename = permission.split(".", 1)
        held[permission] = Permission.objects.filter(
            Q(user=actor) | Q(group__user=actor),
            content_type__app_label=app_label,
            codename=codename,
        ).exists()
    return held[permission]


def forget_permissions(user: Any) -> None:
    """Drop the permissions kept on this user object, after they were granted or taken."""
    user.__dict__.pop("_access_permissions", None)
