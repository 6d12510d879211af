"""Searching the access log: who read what, for auditors and district admins, in their area.

Scope: an entry belongs to the area written into it (AccessLog.area_code); a reader sees the
entries whose area starts with their own area's prefix, like every other scoped row. Entries
with no area (a failed login under a name nobody has) are read by district-level readers
only. Only auditors and district admins search the log; for anyone else it does not exist
(403 on the pages and the API).

Pagination is by keyset on the id, newest first: the log grows without bound.

The log itself (core.models.AccessLog, core.audit.log_access) is ground every app writes to;
reading it lives here because it finds households by a member's name or identity number.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from access.capabilities import Can, can
from access.scope import scope_prefix, within
from core.audit import log_access
from core.models import AccessLog
from core.selectors import filtered
from households import idnumber
from households.filters import refuse_id_number_in_query
from households.models import Household, Member
from households.selectors import ID_SEARCH_CAP, household_find_by_id_number
from ledgers.definitions import get_ledger

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from households.models import User

    Actor = User | AnonymousUser | None

EXPORT_CAP = 100_000  # rows in one CSV; a narrower search gets the rest


def access_log_qs_visible_to(*, actor: Actor) -> QuerySet[AccessLog]:
    """Entries inside the actor's area; 403 for a role that does not read the log at all."""
    if not can(actor, Can.SEARCH_ACCESS_LOG):
        raise PermissionDenied
    prefix = scope_prefix(actor)
    if prefix is None:
        return AccessLog.objects.none()
    visible = within("area_code", prefix)
    if actor.area.level == "district":
        visible |= Q(area_code="")
    return AccessLog.objects.filter(visible)


def _household(queryset: QuerySet, _name: str, value: Any) -> QuerySet:
    """One household or several (comma-separated UUIDs: those an identity number found)."""
    pks = list(Household.objects.filter(uuid__in=value).values_list("pk", flat=True))
    return queryset.filter(household_id__in=pks) if pks else queryset.none()


def _reason(queryset: QuerySet, _name: str, value: str) -> QuerySet:
    value = value.strip()
    return queryset.filter(detail__reason__icontains=value) if value else queryset


class _UUIDs(django_filters.BaseInFilter, django_filters.UUIDFilter):
    pass


def _until(queryset: QuerySet, _name: str, value: dt.datetime) -> QuerySet:
    return queryset.filter(at__lt=value)


class AccessLogFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="username", label=_lazy("用户名"))
    household = _UUIDs(method=_household, label=_lazy("家庭编号（可用逗号分隔多个）"))
    q = django_filters.CharFilter(
        method="filter_households_named",
        label=_lazy("家庭：成员姓名或地址（按身份证号查找请用 POST /api/v1/access-log/search/）"),
    )
    reason = django_filters.CharFilter(method=_reason, label=_lazy("查看事由包含"))
    action = django_filters.ChoiceFilter(choices=AccessLog.Action.choices, label=_lazy("操作"))
    since = django_filters.IsoDateTimeFilter(
        field_name="at", lookup_expr="gte", label=_lazy("起始时间（含）")
    )
    until = django_filters.IsoDateTimeFilter(method=_until, label=_lazy("截止时间（不含）"))

    class Meta:
        model = AccessLog
        fields = ["user", "household", "q", "reason", "action", "since", "until"]

    def filter_households_named(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        """Entries about the reader's households whose address, or a member's name, holds
        the text. An identity number is refused before this: it never comes in a URL."""
        value = value.strip()
        if not value:
            return queryset
        prefix = scope_prefix(getattr(self.request, "user", None))
        if prefix is None:
            return queryset.none()
        named = Member.objects.filter(household=OuterRef("pk"), name__contains=value)
        found = Household.objects.filter(
            Q(address__contains=value) | Exists(named), within("area_code", prefix)
        )
        return queryset.filter(household_id__in=found.values("pk"))


def looks_like_id_number(text: str) -> bool:
    return idnumber.looks_like_id_number(text or "")


def households_with_id_number(*, actor: Actor, number: str) -> list[str]:
    """UUIDs of the reader's households where a member (any status) holds the number."""
    found = household_find_by_id_number(actor=actor, number=number)
    return [str(u) for u in found.values_list("uuid", flat=True)[:ID_SEARCH_CAP]]


def access_log_search(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet:
    """The visible entries matching `filters` (user, household(s), q: a household by a
    member's name or its address, reason, action, since, until), newest first, with the
    household's public UUID and address for display. An identity number in `q` is a 400:
    it is searched by POST (households_with_id_number) and never carried in a URL."""
    refuse_id_number_in_query(filters or {})
    of_entry = Household.objects.filter(pk=OuterRef("household_id"))
    qs = filtered(AccessLogFilter, access_log_qs_visible_to(actor=actor), filters, actor)
    return qs.annotate(
        household_uuid=Subquery(of_entry.values("uuid")[:1]),
        household_address=Subquery(of_entry.values("address")[:1]),
    ).order_by("-id")


# ---- an entry's detail, for people --------------------------------------------------------

# What each key of AccessLog.detail means, in the reader's words; keys not named here are
# shown as they are. Written by core/audit.log_access callers: exports (ledgers/exports),
# reveals, identity-number clashes, logins, the log's own exports.
_DETAIL_LABELS = {
    "ledger": _lazy("台账"),
    "rows": _lazy("行数"),
    "full_id_numbers": _lazy("完整身份证号"),
    "format": _lazy("格式"),
    "as_of": _lazy("截至日期"),
    "filters": _lazy("筛选条件"),
    "job": _lazy("导出任务"),
    "reason": _lazy("查看事由"),
    "field": _lazy("字段"),
    "limit": _lazy("次数上限"),
    "window": _lazy("时段（分钟）"),
    "via": _lazy("方式"),
    "page": _lazy("页面"),
    "cap": _lazy("导出上限（行）"),
}
_FILTER_LABELS = {
    "area": _lazy("区划"),
    "category": _lazy("救助类别"),
    "status": _lazy("状态"),
    "tier": _lazy("风险分层"),
    "q": _lazy("搜索"),
    "user": _lazy("用户名"),
    "household": _lazy("家庭"),
    "action": _lazy("操作"),
    "reason": _lazy("查看事由"),
    "since": _lazy("起始时间"),
    "until": _lazy("截止时间"),
}
_VALUE_LABELS = {
    ("field", "id_number"): _lazy("身份证号"),
    ("field", "status"): _lazy("状态"),
    ("via", "api-token"): _lazy("API 令牌"),
    ("page", "history"): _lazy("变更历史"),
}
_ORDER = list(_DETAIL_LABELS)


def _ledger_title(name: str) -> str:
    try:
        return str(get_ledger(name).title)
    except Http404:  # a ledger since renamed or removed: its stored name
        return name


def _filter_text(filters: Any) -> str:
    if not isinstance(filters, dict) or not filters:
        return "—"
    parts = []
    for key, value in filters.items():
        text = str(value)
        if text.startswith("idhash:"):
            text = _("身份证号（已隐去）")
        parts.append(f"{_FILTER_LABELS.get(key, key)}={text}")
    return "，".join(parts)


def _value_text(key: str, value: Any) -> str:
    if isinstance(value, str) and (key, value) in _VALUE_LABELS:
        return str(_VALUE_LABELS[(key, value)])
    if key == "ledger":
        return _ledger_title(str(value))
    if key == "filters":
        return _filter_text(value)
    if key == "window" and isinstance(value, int):
        return str(value // 60)
    if key == "format" and isinstance(value, str):
        return value.upper()
    if isinstance(value, bool):
        if key == "full_id_numbers":
            return _("含完整号码") if value else _("脱敏")
        return _("是") if value else _("否")
    if value is None or value == "":
        return "—"
    return str(value)


def describe(action: str, detail: Any) -> list[tuple[str, str]]:
    """An entry's detail as (label, text) pairs in the reader's language, known keys first."""
    if not isinstance(detail, dict) or not detail:
        return []
    keys = sorted(detail, key=lambda k: (_ORDER.index(k) if k in _ORDER else len(_ORDER), k))
    return [(str(_DETAIL_LABELS.get(k, k)), _value_text(k, detail[k])) for k in keys]


def describe_text(action: str, detail: Any) -> str:
    return "；".join(f"{label}：{text}" for label, text in describe(action, detail))


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
                _cell(describe_text(action, detail)),
            ]
        )


def access_log_export_record(
    *, actor: User, filters: dict[str, Any], request: Any = None
) -> AccessLog:
    """Record an export of the log in the log itself, before the first row is sent."""
    return log_access(
        actor=actor,
        action=AccessLog.Action.EXPORT_ACCESS_LOG,
        request=request,
        detail={"filters": filters, "cap": EXPORT_CAP},
    )
