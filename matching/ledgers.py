"""Needs and referrals ledgers (需求台账, 转介台账), over matching/selectors.py's scoped lists.

Month close ("as of" a date): needs and referrals are kept in history (django-pghistory, see
core.history.tracked_in_bulk), so a ledger as of day D is rebuilt from each row's last history event
before the end of D, as the registry's ledgers are (households/ledgers.py): produced again
later, it gives the same rows. A need's household, address, head and member, and a
referral's resource and provider, are read as they were at the cutoff too; scope is the
household's area code at the cutoff (a self-request's own community while it had no
household). As for the registry, names of areas are today's.

Before go-live: a need or referral whose history begins after day D (loaded later) is on
D's ledger, as first recorded, when its own creation date is before the end of D; the
column 按自身日期推定 marks it. Rows tracked before D are read from history alone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import (
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from access.capabilities import Can, can
from access.scope import scope_prefix, within
from households.ledgers import household_columns, household_exprs
from households.ledgers.common import placed_column
from households.ledgers.history import placed_by_own_dates
from households.models import Area, HouseholdEvent, MemberEvent
from ledgers.definitions import (
    AsText,
    Column,
    Kind,
    Ledger,
    LocalDateTime,
    RowQuery,
    end_of_day,
    label_of,
    register,
)
from matching import selectors
from matching.filters import NeedFilter, ReferralFilter
from matching.models import Need, NeedEvent, Referral, ReferralEvent
from resources.models import ProviderEvent, ResourceEvent

if TYPE_CHECKING:
    from households.models import User

_HOUSEHOLD_COLUMNS = household_columns()

NEED_COLUMNS = [
    *_HOUSEHOLD_COLUMNS,
    Column("member", _("成员"), "member__name", width=10),
    Column("type", _("需求类型"), "type", width=10, trusted=True),
    Column("subtype", _("需求细类"), "subtype", width=10, trusted=True),
    Column("urgency", _("紧急程度"), "urgency", width=8, trusted=True),
    Column("source", _("来源"), "source", width=10, trusted=True),
    Column("status", _("状态"), "status", width=8, trusted=True),
    Column("quantity", _("数量"), "quantity", Kind.NUMBER, width=6),
    Column("description", _("需求描述"), "description", width=30),
    Column("created_at", _("登记时间"), "created_at", width=16, trusted=True),
    Column("met_at", _("满足时间"), "met_at", width=16, trusted=True),
    placed_column(),
]


def _need_rows(
    *, actor: User | None, filters: dict, as_of: dt.date | None, full_id_numbers: bool
) -> RowQuery:
    if as_of is not None:
        return _need_rows_as_of(actor=actor, filters=filters, day=as_of)
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
        Value(""),
    ]
    return RowQuery(qs.values_list(*exprs))


# ---- month close: rows as they were at the end of a day ------------------------------------


def _history_prefix(actor: User | None) -> str | None:
    """The scope of history reads: the rule of need_qs_visible_to (role + area); providers
    read their referrals in the portal, not in ledgers of the past."""
    if can(actor, Can.ACT_FOR_PROVIDER) or not can(actor, Can.VIEW_NEEDS):
        return None
    return scope_prefix(actor)


def _first(event_model: Any, ref: Any) -> Subquery:
    """When the history of the row `ref` (an expression of its id) begins."""
    return Subquery(
        event_model.objects.filter(pgh_obj_id=ref).order_by("pgh_id").values("pgh_created_at")[:1],
        output_field=DateTimeField(),
    )


def _until(event_model: Any, cutoff: dt.datetime) -> Greatest:
    """The cutoff for the event row being filtered: `cutoff`, or, for a row whose history
    begins later (loaded after the day asked for), just after its first recorded state,
    which then stands for it on that day. A row tracked before the day is read from its
    history alone, so a month close produced again gives the same rows."""
    return Greatest(
        Value(cutoff, output_field=DateTimeField()),
        ExpressionWrapper(
            _first(event_model, OuterRef("pgh_obj_id")) + Value(dt.timedelta(microseconds=1)),
            output_field=DateTimeField(),
        ),
    )


def _latest(event_model: Any, cutoff: dt.datetime) -> QuerySet:
    """Each row's state at `cutoff` (its last event before then, unless that was a delete);
    a row whose history begins later is there when its own creation date is before the
    cutoff (its first recorded state, `history_begins` saying so), and not otherwise."""
    last = (
        event_model.objects.filter(pgh_created_at__lt=_until(event_model, cutoff))
        .order_by("pgh_obj_id", "-pgh_id")
        .distinct("pgh_obj_id")
        .values("pgh_id")
    )
    return (
        event_model.objects.filter(pgh_id__in=last)
        .exclude(pgh_label="delete")
        .annotate(history_begins=_first(event_model, OuterRef("pgh_obj_id")))
        .filter(Q(history_begins__lt=cutoff) | Q(created_at__lt=cutoff))
    )


def _then(event_model: Any, ref: Any, field: str, cutoff: dt.datetime) -> Subquery:
    """One field of a related row as it was at `cutoff`, through that row's history (as
    first recorded, when its history begins later: `_until`)."""
    return Subquery(
        event_model.objects.filter(pgh_obj_id=ref, pgh_created_at__lt=_until(event_model, cutoff))
        .order_by("-pgh_id")
        .values(field)[:1]
    )


def _household_then(cutoff: dt.datetime) -> dict[str, Any]:
    """The need's or referral's household (the outer row's household_id) at `cutoff`."""
    head_id = _then(HouseholdEvent, OuterRef(OuterRef("household_id")), "head_id", cutoff)
    return {
        "hh_area_code": _then(HouseholdEvent, OuterRef("household_id"), "area_code", cutoff),
        "hh_area_id": _then(HouseholdEvent, OuterRef("household_id"), "area_id", cutoff),
        "hh_address": _then(HouseholdEvent, OuterRef("household_id"), "address", cutoff),
        "hh_head_name": _then(MemberEvent, head_id, "name", cutoff),
    }


def _area(field: str, ref: str) -> Subquery:
    return Subquery(Area.objects.filter(pk=OuterRef(ref)).values(field)[:1])


def _as_of_filters(qs: QuerySet, filters: dict, *, scope_field: str) -> QuerySet:
    """The filters a month-close export honours: area (by code), status and need type."""
    if filters.get("area"):
        area = Area.objects.filter(code=filters["area"]).only("prefix").first()
        qs = qs.none() if area is None else qs.filter(within(scope_field, area.prefix))
    statuses = [s for s in filters.getlist("status") if s] if "status" in filters else []
    if statuses:
        qs = qs.filter(status__in=statuses)
    if filters.get("type"):
        qs = qs.filter(type=filters["type"])
    return qs


def _need_rows_as_of(*, actor: User | None, filters: dict, day: dt.date) -> RowQuery:
    cutoff = end_of_day(day)
    prefix = _history_prefix(actor)
    qs = _latest(NeedEvent, cutoff).annotate(**_household_then(cutoff))
    qs = qs.annotate(scope_code=Coalesce("hh_area_code", "area_code"))
    qs = qs.none() if prefix is None else qs.filter(within("scope_code", prefix))
    qs = _as_of_filters(qs, filters, scope_field="scope_code")
    exprs = [
        Coalesce(_area("code", "hh_area_id"), _area("code", "area_id")),
        Coalesce(_area("name", "hh_area_id"), _area("name", "area_id")),
        F("hh_address"),
        F("hh_head_name"),
        _then(MemberEvent, OuterRef("member_id"), "name", cutoff),
        label_of("type", Need.Type.choices),
        label_of("subtype", Need.Subtype.choices),
        label_of("urgency", Need.Urgency.choices),
        label_of("source", Need.Source.choices),
        label_of("status", Need.Status.choices),
        F("quantity"),
        F("description"),
        LocalDateTime("created_at"),
        LocalDateTime("met_at"),
        placed_by_own_dates(cutoff),
    ]
    return RowQuery(qs.order_by("created_at", "pgh_obj_id").values_list(*exprs))


register(
    Ledger(
        name="needs",
        title=_("需求台账"),
        description=_("每项需求一行：类型、细类、紧急程度、来源、状态和登记、满足时间。"),
        columns=NEED_COLUMNS,
        filterset_class=NeedFilter,
        supports_as_of=True,
        as_of_filters=("area", "status", "type"),
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

    held = django_filters.DateFilter(method="filter_held", label=_("本期占用资源（日期）"))

    class Meta(ReferralFilter.Meta):
        fields = [*ReferralFilter.Meta.fields, "area", "outcome", "held"]

    def filter_held(self, queryset: QuerySet, _name: str, value: dt.date) -> QuerySet:
        """Referrals counted in a resource's use on the day (the dashboard's 已用): holding a
        unit of the service's period then, or goods issued in the day's month up to it."""
        from resources.models import Resource, StockMovement
        from resources.periods import period_start

        service = Q(resource__kind=Resource.Kind.SERVICE) & ~Q(
            status__in=[Referral.Status.DECLINED, Referral.Status.CANCELLED]
        )
        periods = Q()
        for period in Resource.Period.values:
            periods |= Q(resource__period=period, period_start=period_start(period, value))
        issued = StockMovement.objects.filter(
            referral=OuterRef("pk"),
            kind=StockMovement.Kind.GIVEN,
            created_at__gte=end_of_day(value.replace(day=1) - dt.timedelta(days=1)),
            created_at__lt=end_of_day(value),
        )
        goods = Q(resource__kind=Resource.Kind.GOODS) & Exists(issued)
        return queryset.filter((service & periods) | goods)

    def filter_area(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        area = Area.objects.filter(code=value).only("prefix").first()
        if area is None:
            return queryset.none()
        return queryset.filter(within("household__area_code", area.prefix))

    def filter_outcome(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return queryset.filter(outcome="" if value == "none" else value)


REFERRAL_COLUMNS = [
    *_HOUSEHOLD_COLUMNS,
    Column("need_type", _("需求类型"), "need__type", width=10, trusted=True),
    Column("need_subtype", _("需求细类"), "need__subtype", width=10, trusted=True),
    Column("resource", _("资源"), "resource__name", width=20),
    Column("provider", _("救助力量"), "provider__name", width=20),
    Column("status", _("状态"), "status", width=10, trusted=True),
    Column("quantity", _("数量"), "quantity", Kind.NUMBER, width=6),
    Column("proposed_at", _("转介时间"), "proposed_at", width=16, trusted=True),
    Column("delivered_on", _("交付日期"), "delivered_on", Kind.DATE, width=12),
    Column("delivered_quantity", _("交付数量"), "delivered_quantity", Kind.NUMBER, width=8),
    Column("outcome", _("效果"), "outcome", width=8, trusted=True),
    Column("satisfaction", _("满意度"), "satisfaction", Kind.NUMBER, width=6),
    placed_column(),
]


def _referral_rows(
    *, actor: User | None, filters: dict, as_of: dt.date | None, full_id_numbers: bool
) -> RowQuery:
    if as_of is not None:
        return _referral_rows_as_of(actor=actor, filters=filters, day=as_of)
    qs = selectors.referral_list(actor=actor)
    if filters:
        qs = selectors._filtered(ReferralLedgerFilter, qs, filters)
    qs = qs.order_by("id")
    exprs = [
        *household_exprs(),
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
        Value(""),
    ]
    return RowQuery(qs.values_list(*exprs))


def _referral_rows_as_of(*, actor: User | None, filters: dict, day: dt.date) -> RowQuery:
    cutoff = end_of_day(day)
    prefix = _history_prefix(actor)
    qs = _latest(ReferralEvent, cutoff).annotate(**_household_then(cutoff))
    qs = qs.none() if prefix is None else qs.filter(within("hh_area_code", prefix))
    qs = _as_of_filters(qs, filters, scope_field="hh_area_code")
    need_type = _then(NeedEvent, OuterRef("need_id"), "type", cutoff)
    need_subtype = _then(NeedEvent, OuterRef("need_id"), "subtype", cutoff)
    qs = qs.annotate(need_type=need_type, need_subtype=need_subtype)
    exprs = [
        _area("code", "hh_area_id"),
        _area("name", "hh_area_id"),
        F("hh_address"),
        F("hh_head_name"),
        label_of("need_type", Need.Type.choices),
        label_of("need_subtype", Need.Subtype.choices),
        _then(ResourceEvent, OuterRef("resource_id"), "name", cutoff),
        _then(ProviderEvent, OuterRef("provider_id"), "name", cutoff),
        label_of("status", Referral.Status.choices),
        F("quantity"),
        LocalDateTime("proposed_at"),
        AsText("delivered_on"),
        F("delivered_quantity"),
        label_of("outcome", Referral.Outcome.choices),
        F("satisfaction"),
        placed_by_own_dates(cutoff),
    ]
    return RowQuery(qs.order_by("pgh_obj_id").values_list(*exprs))


register(
    Ledger(
        name="referrals",
        title=_("转介台账"),
        description=_("每次转介一行：需求、资源、救助力量、状态、交付和回访效果。"),
        columns=REFERRAL_COLUMNS,
        filterset_class=ReferralLedgerFilter,
        supports_as_of=True,
        as_of_filters=("area", "status"),
        rows=_referral_rows,
    )
)
