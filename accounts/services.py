"""Writes to a user's credentials: API tokens issued and revoked, passwords set and changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from knox.models import AuthToken
from knox.settings import knox_settings

from accounts.models import ApiTokenInfo
from core.audit import audit

if TYPE_CHECKING:
    from households.models import User

DEVICE_MAX = ApiTokenInfo._meta.get_field("device").max_length


@transaction.atomic
def api_token_issue(*, actor: User, device: str = "") -> tuple[ApiTokenInfo, str]:
    """A new token for one device of the actor: (the stored token, the token itself).

    The token itself is returned once and never stored. Its expiry is a full idle period
    away, or the maximum age if that is shorter."""
    ttl = knox_settings.TOKEN_TTL
    if knox_settings.AUTO_REFRESH_MAX_TTL is not None:
        ttl = min(ttl, knox_settings.AUTO_REFRESH_MAX_TTL)
    token, key = AuthToken.objects.create(user=actor, expiry=ttl)
    info = ApiTokenInfo.objects.create(token=token, device=device.strip()[:DEVICE_MAX])
    audit(actor=actor, verb="api_token.issue", obj=actor, changes={"token": str(info.uuid)})
    return info, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: AuthToken) -> None:
    """Revoke one token; the caller has found it among the actor's own."""
    info = ApiTokenInfo.objects.filter(token=token).first()
    changes = {"token": str(info.uuid) if info else token.token_key[:8]}
    audit(actor=actor, verb="api_token.revoke", obj=token.user, changes=changes)
    token.delete()


@transaction.atomic
def api_tokens_revoke_all(*, actor: User | None, user: User) -> int:
    """Revoke every token of `user` (their own logout-all, or an admin's action); how many."""
    count, _ = AuthToken.objects.filter(user=user).delete()
    audit(actor=actor, verb="api_token.revoke_all", obj=user, changes={"count": count})
    return count


@transaction.atomic
def user_password_change(*, actor: User, password: str) -> User:
    """The actor's new password, validated by the caller's form. It no longer needs changing,
    and their API tokens end with the old password, as their other sessions do."""
    actor.set_password(password)
    actor.must_change_password = False
    actor.save(update_fields=["password", "must_change_password"])
    AuthToken.objects.filter(user=actor).delete()
    audit(actor=actor, verb="user.password_change", obj=actor)
    return actor


@transaction.atomic
def user_password_set(*, actor: User | None, user: User, password: str | None) -> User:
    """A password set for `user` by someone else (an admin): a temporary one, which the user
    must change at their next sign-in. None makes the password unusable. Their API tokens
    are revoked: whoever held the account before the reset holds nothing now."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.must_change_password = actor is None or actor.pk != user.pk
    user.save(update_fields=["password", "must_change_password"])
    AuthToken.objects.filter(user=user).delete()
    audit(
        actor=actor,
        verb="user.password_set",
        obj=user,
        changes={"must_change_password": user.must_change_password},
    )
    return user
