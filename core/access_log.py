"""Searching the access log: who read what, for auditors and district admins, in their area.

Scope: an entry belongs to the area written into it (AccessLog.area_code); a reader sees the
entries whose area starts with their own area's prefix, like every other scoped row. Entries
with no area (a failed login under a name nobody has) are read by district-level readers
only. Only auditors and district admins search the log; for anyone else it does not exist
(403 on the pages and the API).

Pagination is by keyset on the id, newest first: the log grows without bound.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import django_filters
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.models import AccessLog
from core.selectors import filtered

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from households.models import User

    Actor = User | AnonymousUser | None

READER_ROLES = frozenset({"auditor", "district_admin"})
EXPORT_CAP = 100_000  # rows in one CSV; a narrower search gets the rest


def may_search_access_log(actor: Actor) -> bool:
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and getattr(actor, "role", "") in READER_ROLES
    )


def access_log_qs_visible_to(*, actor: Actor) -> QuerySet[AccessLog]:
    """Entries inside the actor's area; 403 for a role that does not read the log at all."""
    from households.scope import scope_prefix

    if not may_search_access_log(actor):
        raise PermissionDenied
    prefix = scope_prefix(actor)
    if prefix is None:
        return AccessLog.objects.none()
    visible = Q(area_code__startswith=prefix)
    if actor.area.level == "district":
        visible |= Q(area_code="")
    return AccessLog.objects.filter(visible)


def _household(queryset: QuerySet, _name: str, value: Any) -> QuerySet:
    household = apps.get_model("households", "Household")
    pk = household.objects.filter(uuid=value).values_list("pk", flat=True).first()
    return queryset.filter(household_id=pk) if pk is not None else queryset.none()


def _until(queryset: QuerySet, _name: str, value: dt.datetime) -> QuerySet:
    return queryset.filter(at__lt=value)


class AccessLogFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="username", label=_lazy("用户名"))
    household = django_filters.UUIDFilter(method=_household, label=_lazy("家庭"))
    action = django_filters.ChoiceFilter(choices=AccessLog.Action.choices, label=_lazy("操作"))
    since = django_filters.IsoDateTimeFilter(
        field_name="at", lookup_expr="gte", label=_lazy("起始时间（含）")
    )
    until = django_filters.IsoDateTimeFilter(method=_until, label=_lazy("截止时间（不含）"))

    class Meta:
        model = AccessLog
        fields = ["user", "household", "action", "since", "until"]


def access_log_search(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    """The visible entries matching `filters` (user, household, action, since, until),
    newest first, with the household's public UUID and address for display."""
    household = apps.get_model("households", "Household")
    of_entry = household.objects.filter(pk=OuterRef("household_id"))
    qs = filtered(AccessLogFilter, access_log_qs_visible_to(actor=actor), filters, actor)
    return qs.annotate(
        household_uuid=Subquery(of_entry.values("uuid")[:1]),
        household_address=Subquery(of_entry.values("address")[:1]),
    ).order_by("-id")


# ---- CSV ---------------------------------------------------------------------------------

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """Text for a spreadsheet: a value that a spreadsheet would run as a formula (a user
    name typed at the login form can be anything) is prefixed with an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(qs: QuerySet) -> Iterator[str]:
    """The search result as CSV lines (a BOM first, for Excel), at most EXPORT_CAP rows."""
    writer = csv.writer(_Echo(), lineterminator="\n")
    labels = dict(AccessLog.Action.choices)
    yield "\ufeff" + writer.writerow(
        [
            _("时间"),
            _("用户名"),
            _("操作"),
            _("家庭"),
            _("对象"),
            _("区划"),
            _("IP 地址"),
            _("详情"),
        ]
    )
    rows = qs.values_list(
        "at",
        "username",
        "action",
        "household_uuid",
        "object_type",
        "object_id",
        "area_code",
        "ip_address",
        "detail",
    )
    for at, user, action, household, otype, oid, area, ip, detail in rows[:EXPORT_CAP].iterator(
        chunk_size=2000
    ):
        yield writer.writerow(
            [
                timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S"),
                _cell(user),
                labels.get(action, action),
                household or "",
                f"{otype}#{oid}" if otype else "",
                area,
                ip or "",
                _cell(detail) if detail else "",
            ]
        )


def access_log_export_record(
    *, actor: User, filters: dict[str, Any], request: Any = None
) -> AccessLog:
    """Record an export of the log in the log itself, before the first row is sent."""
    from core.audit import log_access

    return log_access(
        actor=actor,
        action=AccessLog.Action.EXPORT_ACCESS_LOG,
        request=request,
        detail={"filters": filters, "cap": EXPORT_CAP},
    )
