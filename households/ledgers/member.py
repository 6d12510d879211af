"""The member ledger (家庭成员台账): one row per person, today or as of a past day."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import django_filters
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import CharField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.scope import within
from households import selectors
from households.filters import MemberFilter
from households.ledgers.common import (
    enrolment_active_on,
    household_columns,
    household_exprs,
    placed_column,
)
from households.ledgers.history import (
    MEMBER_CATEGORIES_AS_OF,
    cipher_as_of,
    events_as_of,
    household_exprs_as_of,
    on_the_books,
    placed_by_own_dates,
)
from households.models import Area, Enrolment, Member, MemberEvent
from ledgers.definitions import (
    AsText,
    Column,
    Hex,
    Kind,
    Ledger,
    MaskedPhone,
    RowQuery,
    end_of_day,
    label_of,
    register,
)

if TYPE_CHECKING:
    from households.models import User


class MemberLedgerFilter(MemberFilter):
    """The member list's filters, plus the area every ledger can be cut by."""

    area = django_filters.CharFilter(method="filter_area", label=_("区划代码"))

    class Meta(MemberFilter.Meta):
        fields = [*MemberFilter.Meta.fields, "area"]

    def filter_area(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        area = Area.objects.filter(code=value).only("prefix").first()
        if area is None:
            return queryset.none()
        return queryset.filter(within("household__area_code", area.prefix))


def _member_categories(day: dt.date) -> Subquery:
    """Categories covering a member on `day`: household ones through Enrolment.members."""
    rows = (
        Enrolment.objects.filter(enrolment_active_on(day), members=OuterRef("pk"))
        .order_by()
        .values("members")
        .annotate(
            names=StringAgg("category__name", delimiter="、", order_by="category__sort_order")
        )
        .values("names")
    )
    return Subquery(rows, output_field=CharField())


MEMBER_COLUMNS = [
    *household_columns(),
    Column("name", _("姓名"), "name", width=10),
    Column(
        "id_number",
        _("身份证号"),
        "id_number_masked",
        Kind.ID_NUMBER,
        width=20,
        help=_("脱敏为前4位和后4位；有“导出完整身份证号”权限时为完整号码"),
    ),
    Column("sex", _("性别"), "sex", width=6, trusted=True),
    Column("birth_date", _("出生日期"), "birth_date", Kind.DATE, width=12),
    Column("relation", _("与户主关系"), "relation", width=10, trusted=True),
    Column("phone", _("联系电话"), "phone"),
    Column("disability_type", _("残疾类别"), "disability_type", width=10, trusted=True),
    Column("disability_grade", _("残疾等级"), "disability_grade", width=10, trusted=True),
    Column("health", _("健康状况"), "health", width=10, trusted=True),
    Column("illness", _("疾病名称"), "illness"),
    Column("labour_capacity", _("劳动能力"), "labour_capacity", trusted=True),
    Column("employment", _("就业状况"), "employment", width=10, trusted=True),
    Column("schooling", _("在学情况"), "schooling", width=10, trusted=True),
    Column("lives_alone", _("独居"), "lives_alone", width=6, trusted=True),
    Column("monthly_income", _("月收入（元）"), "monthly_income", Kind.NUMBER, width=12),
    Column("categories", _("救助类别"), "categories", help=_("覆盖该成员的有效类别")),
    Column("status", _("状态"), "status", width=8, trusted=True),
    placed_column(),
]

_YES_NO = [(True, _("是")), (False, _("否"))]


def _member_value_exprs(full: bool) -> list[Any]:
    """The member columns from `name` on, for a queryset of members or of member events."""
    return [
        F("name"),
        Hex("id_number_cipher") if full else F("id_number_masked"),
        label_of("sex", Member.Sex.choices),
        AsText("birth_date"),
        label_of("relation", Member.Relation.choices),
        F("phone") if full else MaskedPhone("phone"),
        label_of("disability_type", Member.DisabilityType.choices),
        label_of("disability_grade", Member.DisabilityGrade.choices),
        label_of("health", Member.Health.choices),
        F("illness"),
        label_of("labour_capacity", Member.LabourCapacity.choices),
        label_of("employment", Member.Employment.choices),
        label_of("schooling", Member.Schooling.choices),
        label_of("lives_alone", _YES_NO),
        F("monthly_income"),
    ]


def _member_rows(
    *, actor: User | None, filters: dict, as_of: dt.date | None, full_id_numbers: bool
) -> RowQuery:
    if as_of is not None:
        return _member_rows_as_of(actor=actor, filters=filters, day=as_of, full=full_id_numbers)
    qs = selectors.member_list(actor=actor)
    if filters:
        qs = selectors._filtered(MemberLedgerFilter, qs, filters)
    qs = qs.order_by("household__area_code", "household_id", "id")
    exprs = [
        *household_exprs(),
        *_member_value_exprs(full_id_numbers),
        _member_categories(timezone.localdate()),
        label_of("status", Member.Status.choices),
        Value(""),
    ]
    return RowQuery(qs.values_list(*exprs), cipher_column=5 if full_id_numbers else None)


def _member_rows_as_of(*, actor: User | None, filters: dict, day: dt.date, full: bool) -> RowQuery:
    cutoff = end_of_day(day)
    qs = events_as_of(MemberEvent, actor=actor, filters=filters, cutoff=cutoff)
    qs = qs.filter(on_the_books("household_id", cutoff, day))
    values = _member_value_exprs(False)
    if full:
        values[1] = cipher_as_of("pgh_obj_id", cutoff)
    exprs = [
        *household_exprs_as_of(MemberEvent, cutoff),
        *values,
        RawSQL(MEMBER_CATEGORIES_AS_OF, [cutoff, day, day], output_field=CharField()),  # noqa: S611
        label_of("status", Member.Status.choices),
        placed_by_own_dates(cutoff),
    ]
    qs = qs.order_by("hh_area_code", "household_id", "pgh_obj_id").values_list(*exprs)
    return RowQuery(qs, cipher_column=5 if full else None)


register(
    Ledger(
        name="members",
        title=_("家庭成员台账"),
        description=_("每人一行：身份信息、残疾、健康、劳动能力、收入和覆盖该成员的救助类别。"),
        columns=MEMBER_COLUMNS,
        filterset_class=MemberLedgerFilter,
        supports_as_of=True,
        as_of_filters=("area", "status"),
        rows=_member_rows,
    )
)
