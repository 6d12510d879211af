"""Reads of a user's own credentials (nobody reads another user's tokens here), and of the
accounts street staff and district admins keep."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from access.capabilities import Can, can
from access.scope import scoped
from accounts.filters import UserFilter
from accounts.models import ApiTokenInfo
from core.selectors import filtered, get_by_uuid
from households.selectors import area_qs_visible_to

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from households.models import Area, User


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


# ---- accounts kept by street staff and district admins ----------------------------------


def user_qs_manageable_by(*, actor: User | AnonymousUser) -> QuerySet[User]:
    """The accounts the actor keeps: street staff their street's social workers, a district
    admin everyone bound inside the district. Superusers are kept in Django's admin only."""
    from households.models import User as UserModel

    if not can(actor, Can.KEEP_USERS):
        return UserModel.objects.none()
    qs = scoped(UserModel.objects.filter(is_superuser=False), actor=actor, field="area__prefix")
    if actor.role == UserModel.Role.STREET_STAFF:
        qs = qs.filter(role=UserModel.Role.SOCIAL_WORKER)
    return qs


def user_list(*, actor: User, filters: dict[str, Any] | None = None) -> QuerySet[User]:
    qs = user_qs_manageable_by(actor=actor).select_related("area")
    return filtered(UserFilter, qs, filters).order_by("-id")


def user_get_for_manage(*, actor: User, username: str) -> User:
    """One account the actor keeps; out of their keeping, or none, is 404 alike."""
    try:
        return user_qs_manageable_by(actor=actor).select_related("area").get(username=username)
    except ObjectDoesNotExist:
        raise Http404 from None


def area_choices_for_accounts(*, actor: User) -> QuerySet[Area]:
    """Areas an account kept by the actor may be bound to (the service checks the level)."""
    from accounts.services import ROLE_LEVELS, roles_grantable_by

    levels = {level for role in roles_grantable_by(actor) for level in ROLE_LEVELS[role]}
    return area_qs_visible_to(actor=actor).filter(level__in=levels).order_by("code")
