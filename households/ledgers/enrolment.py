"""The enrolment ledger (救助对象台账): one row per enrolment, with its monthly amount."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import CharField, Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from households import selectors
from households.filters import EnrolmentFilter
from households.ledgers.common import household_columns, household_exprs, placed_column
from households.ledgers.history import (
    cipher_as_of,
    event_value,
    events_as_of,
    household_exprs_as_of,
    placed_by_own_dates,
)
from households.models import Enrolment, EnrolmentEvent, MemberEvent
from ledgers.definitions import (
    AsText,
    Column,
    Hex,
    Kind,
    Ledger,
    LocalDateTime,
    RowQuery,
    end_of_day,
    label_of,
    register,
)

if TYPE_CHECKING:
    from households.models import User


def _covered(enrolment: str = "pk") -> Subquery:
    through = Enrolment.members.through
    rows = (
        through.objects.filter(enrolment_id=OuterRef(enrolment))
        .order_by()
        .values("enrolment_id")
        .annotate(n=Count("member_id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _covered_names(enrolment: str = "pk") -> Subquery:
    through = Enrolment.members.through
    rows = (
        through.objects.filter(enrolment_id=OuterRef(enrolment))
        .order_by()
        .values("enrolment_id")
        .annotate(names=StringAgg("member__name", delimiter="、", order_by="member_id"))
        .values("names")
    )
    return Subquery(rows, output_field=CharField())


ENROLMENT_COLUMNS = [
    *household_columns(),
    Column("category", _("救助类别"), "category__name", width=10),
    Column(
        "person",
        _("救助对象（按人）"),
        "member__name",
        width=10,
        help=_("特困按人认定时的救助对象，其余类别为空"),
    ),
    Column(
        "person_id_number",
        _("救助对象身份证号"),
        "member__id_number_masked",
        Kind.ID_NUMBER,
        width=20,
    ),
    Column("covered", _("保障人数"), "covered", Kind.NUMBER, width=8),
    Column("covered_names", _("覆盖成员"), "covered_names", width=24),
    Column("monthly_amount", _("月救助金额（元）"), "monthly_amount", Kind.NUMBER, width=12),
    Column("start_date", _("起始日期"), "start_date", Kind.DATE, width=12),
    Column("end_date", _("终止日期"), "end_date", Kind.DATE, width=12),
    Column("review_due", _("复核日期"), "review_due", Kind.DATE, width=12),
    Column("status", _("状态"), "status", width=8, trusted=True),
    Column("decided_at", _("审批时间"), "decided_at", width=16, trusted=True),
    placed_column(),
]


def _enrolment_rows(
    *, actor: User | None, filters: dict, as_of: dt.date | None, full_id_numbers: bool
) -> RowQuery:
    if as_of is not None:
        return _enrolment_rows_as_of(actor=actor, filters=filters, day=as_of, full=full_id_numbers)
    qs = selectors.enrolment_list(actor=actor, filters=filters).prefetch_related(None)
    qs = qs.order_by("household__area_code", "household_id", "category__sort_order", "id")
    exprs = [
        *household_exprs(),
        *_enrolment_value_exprs(),
        Value(""),
    ]
    exprs[6] = Hex("member__id_number_cipher") if full_id_numbers else exprs[6]
    return RowQuery(qs.values_list(*exprs), cipher_column=6 if full_id_numbers else None)


def _enrolment_rows_as_of(
    *, actor: User | None, filters: dict, day: dt.date, full: bool
) -> RowQuery:
    cutoff = end_of_day(day)
    qs = events_as_of(EnrolmentEvent, actor=actor, filters=filters, cutoff=cutoff).filter(
        Q(history_begins__lt=cutoff) | Q(start_date__lte=day)
    )
    if "category" in filters:
        qs = qs.filter(category_id=filters["category"])
    exprs = [
        *household_exprs_as_of(EnrolmentEvent, cutoff),
        *_enrolment_value_exprs("pgh_obj_id"),
        placed_by_own_dates(cutoff),
    ]
    exprs[5] = event_value(MemberEvent, "member_id", "name", cutoff)
    exprs[6] = (
        cipher_as_of("member_id", cutoff)
        if full
        else event_value(MemberEvent, "member_id", "id_number_masked", cutoff)
    )
    qs = qs.order_by("hh_area_code", "household_id", "category__sort_order", "pgh_obj_id")
    return RowQuery(qs.values_list(*exprs), cipher_column=6 if full else None)


def _enrolment_value_exprs(enrolment: str = "pk") -> list:
    """The columns from 救助类别 on, for enrolments or their events (`enrolment`: its id)."""
    return [
        F("category__name"),
        F("member__name"),
        F("member__id_number_masked"),
        _covered(enrolment),
        _covered_names(enrolment),
        F("monthly_amount"),
        AsText("start_date"),
        AsText("end_date"),
        AsText("review_due"),
        label_of("status", Enrolment.Status.choices),
        LocalDateTime("decided_at"),
    ]


register(
    Ledger(
        name="enrolments",
        title=_("救助对象台账"),
        description=_("每项认定一行：类别、救助对象、保障人数、月救助金额、起止和复核日期、状态。"),
        columns=ENROLMENT_COLUMNS,
        filterset_class=EnrolmentFilter,
        supports_as_of=True,
        as_of_filters=("area", "status", "category"),
        list_url_name="households:enrolments_pending",
        rows=_enrolment_rows,
    )
)
