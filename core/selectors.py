"""Helpers every app's selectors share: filtering a scoped queryset, fetching one object."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404


def filtered(
    filterset_class: type, qs: QuerySet, filters: dict[str, Any] | None, actor: Any = None
) -> QuerySet:
    """`qs` (already scoped) narrowed by a FilterSet; invalid filters raise ValidationError.

    The actor reaches the FilterSet as `request.user`, for filters such as "assigned to me".
    """
    if not filters:
        return qs
    filterset = filterset_class(data=filters, queryset=qs, request=SimpleNamespace(user=actor))
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


def get_by_uuid(qs: QuerySet, uuid: UUID | str) -> Any:
    """One row of `qs` by its public UUID; 404 when missing, invisible or malformed alike."""
    try:
        return qs.get(uuid=uuid)
    except (qs.model.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
