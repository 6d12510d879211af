"""Reads of a user's own credentials. Nobody reads another user's tokens here."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import ApiTokenInfo
from core.selectors import get_by_uuid

if TYPE_CHECKING:
    from households.models import User


def api_token_list(*, actor: User) -> QuerySet[ApiTokenInfo]:
    """The actor's live tokens, newest first (knox deletes expired ones as it meets them)."""
    return (
        ApiTokenInfo.objects.filter(token__user=actor, token__expiry__gt=timezone.now())
        .select_related("token")
        .order_by("-token__created")
    )


def api_token_get(*, actor: User, token_id: UUID | str) -> ApiTokenInfo:
    """One of the actor's tokens; another user's, or none, is 404 alike."""
    return get_by_uuid(
        ApiTokenInfo.objects.filter(token__user=actor).select_related("token"), token_id
    )
