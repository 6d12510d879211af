"""Writes to accounts: API tokens issued and revoked, passwords set and changed, and the
accounts street staff and district admins keep for others."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from knox.models import AuthToken
from knox.settings import knox_settings

from access.capabilities import Can, can, forget_permissions
from access.scope import covers
from accounts.models import ApiTokenInfo
from core.audit import audit
from households.models import Area, User

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


# ---- accounts of others: street staff keep their street's social workers, district admins
# everyone in their district. Nobody changes their own role, area, grants or standing.

Role = User.Role
# The permissions an account may be given here, beside its role (district admins only).
GRANTS = ("reveal_id_number", "export_full_id_number")
# The levels an account of each role is bound to: scope follows the area.
ROLE_LEVELS = {
    Role.SOCIAL_WORKER: (Area.Level.COMMUNITY, Area.Level.GRID),
    Role.STREET_STAFF: (Area.Level.STREET,),
    Role.DISTRICT_ADMIN: (Area.Level.DISTRICT,),
    Role.PROVIDER: tuple(Area.Level),
    Role.AUDITOR: tuple(Area.Level),
}
# Letters and digits nobody misreads from a screen (no 0/O, 1/l/I).
_TEMPORARY_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_LENGTH = 12


def roles_grantable_by(actor: User) -> list[str]:
    if actor.role == Role.DISTRICT_ADMIN:
        return list(Role.values)
    if actor.role == Role.STREET_STAFF:
        return [Role.SOCIAL_WORKER]
    return []


def _check_grant(*, actor: User, role: str, area: Area, grants: Iterable[str]) -> None:
    """Refuse a role, area or grant the actor may not give: PermissionDenied for a kind of
    account above the actor's own, ValidationError for an area out of scope or of the
    wrong level (the same message whether the area exists elsewhere or not)."""
    if not can(actor, Can.KEEP_USERS):
        raise PermissionDenied
    if role not in roles_grantable_by(actor):
        raise PermissionDenied(_("您不能设置该角色。"))
    if set(grants) and actor.role != Role.DISTRICT_ADMIN:
        raise PermissionDenied(_("您不能授予查看或导出完整身份证号的权限。"))
    if set(grants) - set(GRANTS):
        raise ValidationError({"grants": _("未知的权限。")})
    if not covers(actor, area.prefix):
        raise ValidationError({"area": _("所选区划不在您的管辖范围内。")})
    if area.level not in ROLE_LEVELS[role]:
        levels = "、".join(str(Area.Level(level).label) for level in ROLE_LEVELS[role])
        raise ValidationError({"area": _("该角色的账号应属于：%(levels)s。") % {"levels": levels}})


def _set_grants(user: User, grants: Iterable[str]) -> None:
    wanted = set(grants)
    permissions = Permission.objects.filter(
        content_type__app_label="households", codename__in=GRANTS
    )
    for permission in permissions:
        if permission.codename in wanted:
            user.user_permissions.add(permission)
        else:
            user.user_permissions.remove(permission)
    forget_permissions(user)


def user_grants(user: User) -> list[str]:
    return sorted(
        user.user_permissions.filter(
            content_type__app_label="households", codename__in=GRANTS
        ).values_list("codename", flat=True)
    )


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    role: str,
    area: Area,
    display_name: str = "",
    phone: str = "",
    grants: Iterable[str] = (),
) -> tuple[User, str]:
    """A new account and its temporary password (returned once, never stored in clear).

    The user must change the password at first sign-in (accounts.middleware) and cannot
    take an API token before that (accounts.permissions)."""
    grants = list(grants)
    _check_grant(actor=actor, role=role, area=area, grants=grants)
    username = username.strip()
    errors: dict[str, list[str]] = {}
    try:
        User.username_validator(username)
    except ValidationError as error:
        errors["username"] = error.messages
    if not username:
        errors["username"] = [_("请填写用户名。")]
    if not display_name.strip():
        errors["display_name"] = [_("请填写姓名。")]
    taken = _("用户名“%(username)s”已被使用。") % {"username": username}
    if not errors and User.objects.filter(username__iexact=username).exists():
        errors["username"] = [taken]
    if errors:
        raise ValidationError(errors)
    password = get_random_string(TEMPORARY_LENGTH, _TEMPORARY_CHARS)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                password=password,
                role=role,
                area=area,
                display_name=display_name.strip(),
                phone=phone.strip(),
                must_change_password=True,
            )
    except IntegrityError:  # the same name submitted twice at once
        raise ValidationError({"username": [taken]}) from None
    _set_grants(user, grants)
    audit(
        actor=actor,
        verb="user.create",
        obj=user,
        changes={"role": role, "area": area.code, "grants": sorted(grants)},
    )
    return user, password


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    display_name: str | None = None,
    phone: str | None = None,
    role: str | None = None,
    area: Area | None = None,
    grants: Iterable[str] | None = None,
) -> User:
    """Change an account the actor keeps (found through accounts.selectors): its name and
    phone, or its role, area (a move) and grants, each only to what the actor may give."""
    user = User.objects.select_for_update().get(pk=user.pk)
    new_role = user.role if role is None else role
    new_area = user.area if area is None else area
    old_grants = user_grants(user)
    new_grants = old_grants if grants is None else sorted(set(grants))
    standing = (new_role, new_area, new_grants) != (user.role, user.area, old_grants)
    if standing and user.pk == actor.pk:
        raise PermissionDenied(_("不能修改自己的角色、所属区划或权限。"))
    if new_grants != old_grants and actor.role != Role.DISTRICT_ADMIN:
        raise PermissionDenied(_("您不能授予查看或导出完整身份证号的权限。"))
    if standing:
        if new_area is None:
            raise ValidationError({"area": _("请选择所属区划。")})
        # Grants kept as they were need no right to grant them: a street keeps its workers
        # whatever the district gave them (it cannot give them, nor take them away).
        _check_grant(
            actor=actor,
            role=new_role,
            area=new_area,
            grants=[] if new_grants == old_grants else new_grants,
        )
    changes: dict[str, list] = {}
    if display_name is not None and display_name.strip() != user.display_name:
        if not display_name.strip():
            raise ValidationError({"display_name": _("请填写姓名。")})
        changes["display_name"] = [user.display_name, display_name.strip()]
        user.display_name = display_name.strip()
    if phone is not None and phone.strip() != user.phone:
        changes["phone"] = [user.phone, phone.strip()]
        user.phone = phone.strip()
    if new_role != user.role:
        changes["role"] = [user.role, new_role]
        user.role = new_role
    if new_area != user.area:
        changes["area"] = [user.area.code if user.area else None, new_area.code]
        user.area = new_area
    if new_grants != old_grants:
        changes["grants"] = [old_grants, new_grants]
        _set_grants(user, new_grants)
    if changes:
        user.save(update_fields=["display_name", "phone", "role", "area"])
        audit(actor=actor, verb="user.update", obj=user, changes=changes)
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """The account can no longer sign in; its sessions end at their next request (Django
    refuses an inactive user's session) and its API tokens are revoked now."""
    if user.pk == actor.pk:
        raise PermissionDenied(_("不能停用自己的账号。"))
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user  # a repeated submit: already done
    user.is_active = False
    user.save(update_fields=["is_active"])
    api_tokens_revoke_all(actor=actor, user=user)
    audit(actor=actor, verb="user.deactivate", obj=user)
    return user
