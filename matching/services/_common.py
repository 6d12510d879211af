"""Checks every matching service shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from access.scope import covers

if TYPE_CHECKING:
    from households.models import Area, User


def require_worker(actor: User | None) -> None:
    """Workers, street staff and the district; `actor=None` is the system (tasks, commands)."""
    if actor is not None and not can(actor, Can.WORK_NEEDS):
        raise PermissionDenied


def require_area_in_scope(actor: User | None, area: Area, field: str = "area") -> None:
    if actor is not None and not covers(actor, area.prefix):
        raise ValidationError({field: _("所选区划不在您的管辖范围内。")})
