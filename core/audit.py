"""Writing the audit trail and the access log. Services call these inside their transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string

from core.models import AccessLog, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest


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
    actor: AbstractBaseUser | None,
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
    actor: AbstractBaseUser | None,
    obj: models.Model | None,
    household_id: int | None,
    username: str,
) -> str:
    """Where an entry sits in the area tree (see AccessLog): the area its object carries, else
    what settings.ACCESS_LOG_AREA_CODE answers (the registry knows households and users' areas;
    the ground does not)."""
    for candidate in (obj, getattr(obj, "household", None) if obj is not None else None):
        code = getattr(candidate, "area_code", None)
        if isinstance(code, str) and (household_id is None or candidate.pk == household_id):
            return code
    area_code = import_string(settings.ACCESS_LOG_AREA_CODE)
    return area_code(actor=actor, household_id=household_id, username=username)


def log_access(
    *,
    actor: AbstractBaseUser | None,
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
