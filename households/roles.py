"""What each role may do. Scope (which rows) is in selectors; this is only what kind of act."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from households.models import User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

Role = User.Role


class Can(Enum):
    VIEW_REGISTRY = "view_registry"
    EDIT_REGISTRY = "edit_registry"
    APPLY_ENROLMENT = "apply_enrolment"
    DECIDE_ENROLMENT = "decide_enrolment"


_GRANTS: dict[Can, frozenset[str]] = {
    Can.VIEW_REGISTRY: frozenset(
        {Role.SOCIAL_WORKER, Role.STREET_STAFF, Role.DISTRICT_ADMIN, Role.AUDITOR}
    ),
    Can.EDIT_REGISTRY: frozenset({Role.SOCIAL_WORKER, Role.STREET_STAFF, Role.DISTRICT_ADMIN}),
    Can.APPLY_ENROLMENT: frozenset({Role.SOCIAL_WORKER, Role.STREET_STAFF, Role.DISTRICT_ADMIN}),
    Can.DECIDE_ENROLMENT: frozenset({Role.DISTRICT_ADMIN}),
}


def can(actor: User | AnonymousUser | None, capability: Can) -> bool:
    """Whether the actor's role grants the capability. Says nothing about which objects."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return actor.role in _GRANTS[capability]


def may_reveal_id_number(actor: User | AnonymousUser | None) -> bool:
    """Auditors never see full numbers; others need the explicit reveal permission.

    One EXISTS query (kept on the user for the request) rather than has_perm's two, which
    load every permission of the user and of their groups: this runs on every household page.
    """
    if not can(actor, Can.VIEW_REGISTRY) or actor.role == Role.AUDITOR:
        return False
    if actor.is_superuser:
        return True
    if not hasattr(actor, "_may_reveal"):
        from django.contrib.auth.models import Permission
        from django.db.models import Q

        actor._may_reveal = Permission.objects.filter(
            Q(user=actor) | Q(group__user=actor),
            content_type__app_label="households",
            codename="reveal_id_number",
        ).exists()
    return actor._may_reveal
