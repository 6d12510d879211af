"""What kind of act each role may do in case work. Which rows: the selectors' scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from households.models import Area, User
from households.roles import Can, can

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser | None

Role = User.Role


def _active(actor: Actor) -> bool:
    return actor is not None and actor.is_authenticated and actor.is_active


def may_view_cases(actor: Actor) -> bool:
    """Visits, follow-ups and alerts are read by whoever reads the registry."""
    return can(actor, Can.VIEW_REGISTRY)


def may_log_visit(actor: Actor) -> bool:
    """Logging a visit changes the registry too (member changes), so it takes the same role."""
    return can(actor, Can.EDIT_REGISTRY)


def may_reassign(actor: Actor) -> bool:
    return _active(actor) and actor.role in (Role.STREET_STAFF, Role.DISTRICT_ADMIN)


def may_view_caseload(actor: Actor) -> bool:
    """The overdue overview by community and worker: street staff, the district, auditors."""
    return _active(actor) and actor.role in (
        Role.STREET_STAFF,
        Role.DISTRICT_ADMIN,
        Role.AUDITOR,
    )


def may_manage_tier_rules(actor: Actor) -> bool:
    """District admins bound to a district: the rules are district-wide, and a user bound to
    no area (or a lower one) reads and changes nothing of them."""
    return (
        _active(actor)
        and actor.role == Role.DISTRICT_ADMIN
        and actor.area_id is not None
        and actor.area.level == Area.Level.DISTRICT
    )


def may_record_activity(actor: Actor) -> bool:
    return can(actor, Can.EDIT_REGISTRY)
