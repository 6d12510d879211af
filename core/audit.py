"""Writing the audit trail and the access log. Services call these inside their transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from core.models import AccessLog, AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest

    from households.models import User


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def diff(instance: models.Model, before: dict[str, Any], fields: list[str]) -> dict[str, list]:
    """Changes of `fields` since `before` (a dict of attname → old value) as {field: [old, new]}."""
    changes = {}
    for name in fields:
        new = getattr(instance, name)
        old = before.get(name)
        if old != new:
            changes[name] = [_jsonable(old), _jsonable(new)]
    return changes


def audit(
    *,
    actor: User | None,
    verb: str,
    obj: models.Model,
    household_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        household_id=household_id,
        changes=changes or {},
    )


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _area_code(
    *,
    actor: User | None,
    obj: models.Model | None,
    household_id: int | None,
    username: str,
) -> str:
    """Where an entry sits in the area tree (see AccessLog): the household's area, else the
    acting user's, else (a failed login) the area of the user whose name was tried."""
    from django.apps import apps

    for candidate in (obj, getattr(obj, "household", None) if obj is not None else None):
        code = getattr(candidate, "area_code", None)
        if isinstance(code, str) and (household_id is None or candidate.pk == household_id):
            return code
    if household_id is not None:
        household = apps.get_model("households", "Household")
        found = household.objects.filter(pk=household_id).values_list("area_code", flat=True)
        return next(iter(found), "")
    if actor is not None and actor.pk:
        return actor.area.prefix if actor.area_id else ""
    if username:
        user = apps.get_model("households", "User")
        found = user.objects.filter(username=username, area__isnull=False)
        return next(iter(found.values_list("area__prefix", flat=True)), "")
    return ""


def log_access(
    *,
    actor: User | None,
    action: str,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    household_id: int | None = None,
    username: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessLog:
    return AccessLog.objects.create(
        area_code=_area_code(actor=actor, obj=obj, household_id=household_id, username=username),
        actor=actor if actor is not None and actor.pk else None,
        username=username or (actor.get_username() if actor is not None and actor.pk else ""),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=obj.pk if obj is not None else None,
        household_id=household_id,
        ip_address=client_ip(request),
        detail=detail or {},
    )
