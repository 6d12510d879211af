"""The household ledger (家庭台账): one row per household, today or as of a past day."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.scope import within
from households import selectors
from households.filters import HouseholdFilter
from households.ledgers.common import enrolment_active_on, placed_column
from households.ledgers.history import (
    AMOUNT_AS_OF,
    CATEGORIES_AS_OF,
    MEMBERS_AS_OF,
    as_of_filters,
    cipher_as_of,
    event_value,
    history_prefix,
    latest,
    on_the_books,
    placed_by_own_dates,
)
from households.models import Area, Enrolment, Household, HouseholdEvent, Member, MemberEvent
from ledgers.definitions import (
    Column,
    Hex,
    Kind,
    Ledger,
    LocalDate,
    MaskedPhone,
    RowQuery,
    end_of_day,
    label_of,
    register,
)

if TYPE_CHECKING:
    from households.models import User


def _current_categories(day: dt.date, household: str = "pk") -> Subquery:
    """The names of a household's categories active on `day`, joined by 、."""
    rows = (
        Enrolment.objects.filter(enrolment_active_on(day), household=OuterRef(household))
        .order_by()
        .values("household")
        .annotate(
            names=StringAgg("category__name", delimiter="、", order_by="category__sort_order")
        )
        .values("names")
    )
    return Subquery(rows, output_field=CharField())


def _current_amount(day: dt.date, household: str = "pk") -> Subquery:
    rows = (
        Enrolment.objects.filter(enrolment_active_on(day), household=OuterRef(household))
        .order_by()
        .values("household")
        .annotate(total=Sum("monthly_amount"))
        .values("total")
    )
    return Subquery(rows, output_field=DecimalField(max_digits=12, decimal_places=2))


def _active_members(household: str = "pk") -> Subquery:
    rows = (
        Member.objects.filter(household=OuterRef(household), status=Member.Status.ACTIVE)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


HOUSEHOLD_COLUMNS = [
    Column(
        "area_code",
        _("区划代码"),
        "area__code",
        help=_("社区或网格的统计用区划代码"),
        trusted=True,
    ),
    Column("area_name", _("社区/网格"), "area__name"),
    Column("address", _("家庭住址"), "address", width=30),
    Column("head_name", _("户主姓名"), "head__name", width=10),
    Column("head_id_number", _("户主身份证号"), "head__id_number_masked", Kind.ID_NUMBER, width=20),
    Column("phone", _("联系电话"), "phone", help=_("脱敏导出时只显示前3位和后4位")),
    Column("members", _("在户人数"), "members", Kind.NUMBER, width=8),
    Column("categories", _("救助类别"), "categories", help=_("导出当日（或截至日）有效的类别")),
    Column("amount", _("月救助金额合计（元）"), "amount", Kind.NUMBER, width=12),
    Column("tier", _("风险分层"), "tier", width=8, trusted=True),
    Column("worker", _("责任社工"), "worker__display_name", width=10),
    Column("status", _("状态"), "status", width=8, trusted=True),
    Column("registered", _("登记日期"), "created_at", Kind.DATE, width=12),
    placed_column(),
]


def _household_rows(
    *, actor: User | None, filters: dict, as_of: dt.date | None, full_id_numbers: bool
) -> RowQuery:
    if as_of is not None:
        return _household_rows_as_of(actor=actor, filters=filters, day=as_of, full=full_id_numbers)
    today = timezone.localdate()
    qs = selectors.household_list(actor=actor, filters=filters).order_by("area_code", "id")
    exprs = [
        F("area__code"),
        F("area__name"),
        F("address"),
        F("head__name"),
        Hex("head__id_number_cipher") if full_id_numbers else F("head__id_number_masked"),
        F("phone") if full_id_numbers else MaskedPhone("phone"),
        _active_members(),
        _current_categories(today),
        _current_amount(today),
        F("tier"),
        F("worker__display_name"),
        label_of("status", Household.Status.choices),
        LocalDate("created_at"),
        Value(""),
    ]
    return RowQuery(qs.values_list(*exprs), cipher_column=4 if full_id_numbers else None)


def _household_rows_as_of(
    *, actor: User | None, filters: dict, day: dt.date, full: bool
) -> RowQuery:
    cutoff = end_of_day(day)
    prefix = history_prefix(actor)
    qs = latest(HouseholdEvent, cutoff).filter(on_the_books("pgh_obj_id", cutoff, day))
    qs = qs.none() if prefix is None else qs.filter(within("area_code", prefix))
    qs = as_of_filters(qs, filters, area_field="area_code")
    dates = [cutoff, day, day]
    head = "head_id"
    exprs = [
        Subquery(Area.objects.filter(pk=OuterRef("area_id")).values("code")[:1]),
        Subquery(Area.objects.filter(pk=OuterRef("area_id")).values("name")[:1]),
        F("address"),
        event_value(MemberEvent, head, "name", cutoff),
        cipher_as_of(head, cutoff)
        if full
        else event_value(MemberEvent, head, "id_number_masked", cutoff),
        F("phone") if full else MaskedPhone("phone"),
        RawSQL(MEMBERS_AS_OF, [cutoff], output_field=IntegerField()),  # noqa: S611
        RawSQL(CATEGORIES_AS_OF, dates, output_field=CharField()),  # noqa: S611
        RawSQL(AMOUNT_AS_OF, dates, output_field=CharField()),  # noqa: S611
        F("tier"),
        F("worker__display_name"),
        label_of("status", Household.Status.choices),
        LocalDate("created_at"),
        placed_by_own_dates(cutoff),
    ]
    qs = qs.order_by("area_code", "pgh_obj_id").values_list(*exprs)
    return RowQuery(qs, cipher_column=4 if full else None)


register(
    Ledger(
        name="households",
        title=_("家庭台账"),
        description=_("每户一行：住址、户主、在户人数、当前救助类别和月救助金额合计。"),
        columns=HOUSEHOLD_COLUMNS,
        filterset_class=HouseholdFilter,
        supports_as_of=True,
        as_of_filters=("area", "status"),
        list_url_name="households:list",
        rows=_household_rows,
    )
)
