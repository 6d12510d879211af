"""Needs and referrals ledgers (需求台账, 转介台账), over matching/selectors.py's scoped lists.

Neither is kept in history, so neither offers a month-close ("as of") export: their rows
carry their own dates (登记时间, 转介时间, 交付日期) to cut a month by.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import django_filters
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.ledgers.definitions import (
    AsText,
    Column,
    Kind,
    Ledger,
    LocalDateTime,
    RowQuery,
    label_of,
    register,
)
from households.models import Area
from matching import selectors
from matching.filters import NeedFilter, ReferralFilter
from matching.models import Need, Referral

if TYPE_CHECKING:
    from households.models import User

_HOUSEHOLD_COLUMNS = [
    Column("area_code", _("区划代码"), "household__area__code"),
    Column("area_name", _("社区/网格"), "household__area__name"),
    Column("address", _("家庭住址"), "household__address", width=30),
    Column("head_name", _("户主姓名"), "household__head__name", width=10),
]

NEED_COLUMNS = [
    *_HOUSEHOLD_COLUMNS,
    Column("member", _("成员"), "member__name", width=10),
    Column("type", _("需求类型"), "type", width=10),
    Column("subtype", _("需求细类"), "subtype", width=10),
    Column("urgency", _("紧急程度"), "urgency", width=8),
    Column("source", _("来源"), "source", width=10),
    Column("status", _("状态"), "status", width=8),
    Column("quantity", _("数量"), "quantity", Kind.NUMBER, width=6),
    Column("description", _("需求描述"), "description", width=30),
    Column("created_at", _("登记时间"), "created_at", width=16),
    Column("met_at", _("满足时间"), "met_at", width=16),
]


def _need_rows(
    *, actor: User | None, filters: dict, as_of: dt.date | None, full_id_numbers: bool
) -> RowQuery:
    qs = selectors.need_list(actor=actor, filters=filters).order_by("created_at", "id")
    exprs = [
        Coalesce("household__area__code", "area__code"),
        Coalesce("household__area__name", "area__name"),
        F("household__address"),
        F("household__head__name"),
        F("member__name"),
        label_of("type", Need.Type.choices),
        label_of("subtype", Need.Subtype.choices),
        label_of("urgency", Need.Urgency.choices),
        label_of("source", Need.Source.choices),
        label_of("status", Need.Status.choices),
        F("quantity"),
        F("description"),
        LocalDateTime("created_at"),
        LocalDateTime("met_at"),
    ]
    return RowQuery(qs.values_list(*exprs))


register(
    Ledger(
        name="needs",
        title=_("需求台账"),
        description=_("每项需求一行：类型、细类、紧急程度、来源、状态和登记、满足时间。"),
        columns=NEED_COLUMNS,
        filterset_class=NeedFilter,
        rows=_need_rows,
    )
)


class ReferralLedgerFilter(ReferralFilter):
    """The referral list's filters, plus area and outcome for the dashboard's drill-down."""

    area = django_filters.CharFilter(method="filter_area", label=_("区划代码"))
    outcome = django_filters.ChoiceFilter(
        choices=[*Referral.Outcome.choices, ("none", _("未回访"))],
        method="filter_outcome",
        label=_("效果"),
    )

    class Meta(ReferralFilter.Meta):
        fields = [*ReferralFilter.Meta.fields, "area", "outcome"]

    def filter_area(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        area = Area.objects.filter(code=value).only("prefix").first()
        if area is None:
            return queryset.none()
        return queryset.filter(household__area_code__startswith=area.prefix)

    def filter_outcome(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return queryset.filter(outcome="" if value == "none" else value)


REFERRAL_COLUMNS = [
    *_HOUSEHOLD_COLUMNS,
    Column("need_type", _("需求类型"), "need__type", width=10),
    Column("need_subtype", _("需求细类"), "need__subtype", width=10),
    Column("resource", _("资源"), "resource__name", width=20),
    Column("provider", _("救助力量"), "provider__name", width=20),
    Column("status", _("状态"), "status", width=10),
    Column("quantity", _("数量"), "quantity", Kind.NUMBER, width=6),
    Column("proposed_at", _("转介时间"), "proposed_at", width=16),
    Column("delivered_on", _("交付日期"), "delivered_on", Kind.DATE, width=12),
    Column("delivered_quantity", _("交付数量"), "delivered_quantity", Kind.NUMBER, width=8),
    Column("outcome", _("效果"), "outcome", width=8),
    Column("satisfaction", _("满意度"), "satisfaction", Kind.NUMBER, width=6),
]


def _referral_rows(
    *, actor: User | None, filters: dict, as_of: dt.date | None, full_id_numbers: bool
) -> RowQuery:
    qs = selectors.referral_list(actor=actor)
    if filters:
        qs = selectors._filtered(ReferralLedgerFilter, qs, filters)
    qs = qs.order_by("id")
    exprs = [
        F("household__area__code"),
        F("household__area__name"),
        F("household__address"),
        F("household__head__name"),
        label_of("need__type", Need.Type.choices),
        label_of("need__subtype", Need.Subtype.choices),
        F("resource__name"),
        F("provider__name"),
        label_of("status", Referral.Status.choices),
        F("quantity"),
        LocalDateTime("proposed_at"),
        AsText("delivered_on"),
        F("delivered_quantity"),
        label_of("outcome", Referral.Outcome.choices),
        F("satisfaction"),
    ]
    return RowQuery(qs.values_list(*exprs))


register(
    Ledger(
        name="referrals",
        title=_("转介台账"),
        description=_("每次转介一行：需求、资源、救助力量、状态、交付和回访效果。"),
        columns=REFERRAL_COLUMNS,
        filterset_class=ReferralLedgerFilter,
        rows=_referral_rows,
    )
)
