"""The registry's ledgers (台账): households, members and enrolments, out and in.

Out: each ledger is one scoped, filtered query (the list's own selector and FilterSet) whose
fixed columns are documented below and in the downloadable template. In: the household and
member ledger's columns for import live in households/ledger_import.py.

Month close ("as of" a date): the registry is tracked by django-pghistory, so a ledger as of
day D is rebuilt from the last history event of each row before the end of D. The rows and
their values are the same whenever it is produced again, because events are only appended.
We chose history over snapshot tables at month close because it needs no job to have run
on the night, works for any past date, and honours the same scope rule (on the area code the
household had then). Its limits, by design: names of areas and workers are today's; which
members an enrolment covers is today's (it is set when the enrolment is applied for and no
service changes it); a full identity number is decrypted only when the member still holds
the number the event recorded (otherwise the recorded mask is shown).

"Active on day D" is one rule for ledgers and the dashboard (`enrolment_active_on`): an
enrolment approved (or since ended) whose start_date ≤ D ≤ end_date (an open end runs on);
ending sets end_date, so an enrolment ended yesterday is not active today but still counts
on the days it covered; a suspended one counts up to the day before its suspension.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.ledgers.definitions import (
    AsText,
    Column,
    Hex,
    Kind,
    Ledger,
    LocalDate,
    LocalDateTime,
    MaskedPhone,
    RowQuery,
    end_of_day,
    label_of,
    register,
)
from households import selectors
from households.filters import EnrolmentFilter, HouseholdFilter, MemberFilter
from households.models import (
    Area,
    Enrolment,
    EnrolmentEvent,
    Household,
    HouseholdEvent,
    Member,
    MemberEvent,
)
from households.roles import Can, can
from households.scope import scope_prefix

if TYPE_CHECKING:
    from households.models import User

E = Enrolment.Status


# ---- "active on a day", shared with the dashboard ------------------------------------------


def enrolment_active_on(day: dt.date, prefix: str = "") -> Q:
    """Enrolments active on `day` (see the module docstring); `prefix` for a related path."""
    p = prefix
    dates = Q(**{f"{p}start_date__lte": day}) & (
        Q(**{f"{p}end_date__isnull": True}) | Q(**{f"{p}end_date__gte": day})
    )
    running = Q(**{f"{p}status__in": [E.APPROVED, E.ENDED]}) | Q(
        **{f"{p}status": E.SUSPENDED, f"{p}decided_at__gte": end_of_day(day)}
    )
    return dates & running


def _history_prefix(actor: User | None) -> str | None:
    """The scope of history reads: the same rule as household_qs_visible_to (role + area)."""
    if not can(actor, Can.VIEW_REGISTRY):
        return None
    return scope_prefix(actor)


def _latest(event_model: Any, cutoff: dt.datetime) -> QuerySet:
    """Each row's state at `cutoff`: its last event before then, unless that was a delete."""
    last = (
        event_model.objects.filter(pgh_created_at__lt=cutoff)
        .order_by("pgh_obj_id", "-pgh_id")
        .distinct("pgh_obj_id")
        .values("pgh_id")
    )
    return event_model.objects.filter(pgh_id__in=last).exclude(pgh_label="delete")


def _event_value(event_model: Any, outer: str, field: str, cutoff: dt.datetime) -> Subquery:
    """One field of a related row as it was at `cutoff` (through that row's history)."""
    return Subquery(
        event_model.objects.filter(pgh_obj_id=OuterRef(outer), pgh_created_at__lt=cutoff)
        .order_by("-pgh_id")
        .values(field)[:1]
    )


# Enrolment states of one household (the outer history row) at a cutoff, active on a day.
_ACTIVE_AS_OF = (
    "SELECT s.* FROM (SELECT DISTINCT ON (ee.pgh_obj_id) ee.* "
    "FROM households_enrolmentevent ee "
    'WHERE ee.household_id = "households_householdevent"."pgh_obj_id" '
    "AND ee.pgh_created_at < %s ORDER BY ee.pgh_obj_id, ee.pgh_id DESC) s "
    "WHERE s.pgh_label <> 'delete' AND s.status IN ('approved', 'ended') "
    "AND s.start_date <= %s AND (s.end_date IS NULL OR s.end_date >= %s)"
)
# The SQL below is fixed text; every value (cutoff, day) goes in as a parameter.
_CATEGORIES_AS_OF = (
    "(SELECT string_agg(c.name, '、' ORDER BY c.sort_order) FROM ("  # noqa: S608
    + _ACTIVE_AS_OF
    + ") a "
    "JOIN households_category c ON c.code = a.category_id)"
)
_AMOUNT_AS_OF = "(SELECT sum(a.monthly_amount) FROM (" + _ACTIVE_AS_OF + ") a)"  # noqa: S608
# Active members of one household at a cutoff (members may have moved between households).
# Categories covering one member (the outer history row) at a cutoff, active on a day.
_MEMBER_CATEGORIES_AS_OF = (
    "(SELECT string_agg(c.name, '、' ORDER BY c.sort_order) FROM ("  # noqa: S608
    + _ACTIVE_AS_OF.replace(
        'ee.household_id = "households_householdevent"."pgh_obj_id"',
        "ee.pgh_obj_id IN (SELECT em.enrolment_id FROM households_enrolment_members em "
        'WHERE em.member_id = "households_memberevent"."pgh_obj_id")',
    )
    + ") a JOIN households_category c ON c.code = a.category_id)"
)
_MEMBERS_AS_OF = (
    "(SELECT count(*) FROM (SELECT DISTINCT ON (me.pgh_obj_id) me.status, me.household_id, "
    "me.pgh_label FROM households_memberevent me WHERE me.pgh_obj_id IN ("
    "SELECT m2.pgh_obj_id FROM households_memberevent m2 "
    'WHERE m2.household_id = "households_householdevent"."pgh_obj_id") '
    "AND me.pgh_created_at < %s ORDER BY me.pgh_obj_id, me.pgh_id DESC) s "
    "WHERE s.pgh_label <> 'delete' AND s.status = 'active' "
    'AND s.household_id = "households_householdevent"."pgh_obj_id")'
)


# ---- households ------------------------------------------------------------------------------


def _current_categories(day: dt.date, household: str = "pk") -> Subquery:
    """The names of a household's categories active on `day`, joined by 、."""
    from django.contrib.postgres.aggregates import StringAgg

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
    Column("area_code", _("区划代码"), "area__code", help=_("社区或网格的统计用区划代码")),
    Column("area_name", _("社区/网格"), "area__name"),
    Column("address", _("家庭住址"), "address", width=30),
    Column("head_name", _("户主姓名"), "head__name", width=10),
    Column("head_id_number", _("户主身份证号"), "head__id_number_masked", Kind.ID_NUMBER, width=20),
    Column("phone", _("联系电话"), "phone", help=_("脱敏导出时只显示前3位和后4位")),
    Column("members", _("在户人数"), "members", Kind.NUMBER, width=8),
    Column("categories", _("救助类别"), "categories", help=_("导出当日（或截至日）有效的类别")),
    Column("amount", _("月救助金额合计（元）"), "amount", Kind.NUMBER, width=12),
    Column("tier", _("风险分层"), "tier", width=8),
    Column("worker", _("责任社工"), "worker__display_name", width=10),
    Column("status", _("状态"), "status", width=8),
    Column("registered", _("登记日期"), "created_at", Kind.DATE, width=12),
]


def _household_rows(
    *, actor: User | None, filters: dict, as_of: dt.date | None, full_id_numbers: bool
) -> RowQuery:
    if as_of is not None:
        return _household_rows_as_of(actor=actor, filters=filters, day=as_of, full=full_id_numbers)
    from django.utils import timezone

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
    ]
    return RowQuery(qs.values_list(*exprs), cipher_column=4 if full_id_numbers else None)


def _household_rows_as_of(
    *, actor: User | None, filters: dict, day: dt.date, full: bool
) -> RowQuery:
    cutoff = end_of_day(day)
    prefix = _history_prefix(actor)
    qs = _latest(HouseholdEvent, cutoff)
    qs = qs.none() if prefix is None else qs.filter(area_code__startswith=prefix)
    qs = _as_of_filters(qs, filters, area_field="area_code")
    dates = [cutoff, day, day]
    head = "head_id"
    exprs = [
        Subquery(Area.objects.filter(pk=OuterRef("area_id")).values("code")[:1]),
        Subquery(Area.objects.filter(pk=OuterRef("area_id")).values("name")[:1]),
        F("address"),
        _event_value(MemberEvent, head, "name", cutoff),
        _cipher_as_of(head, cutoff)
        if full
        else _event_value(MemberEvent, head, "id_number_masked", cutoff),
        F("phone") if full else MaskedPhone("phone"),
        RawSQL(_MEMBERS_AS_OF, [cutoff], output_field=IntegerField()),  # noqa: S611
        RawSQL(_CATEGORIES_AS_OF, dates, output_field=CharField()),  # noqa: S611
        RawSQL(_AMOUNT_AS_OF, dates, output_field=CharField()),  # noqa: S611
        F("tier"),
        F("worker__display_name"),
        label_of("status", Household.Status.choices),
        LocalDate("created_at"),
    ]
    qs = qs.order_by("area_code", "pgh_obj_id").values_list(*exprs)
    return RowQuery(qs, cipher_column=4 if full else None)


def _cipher_as_of(member_ref: str, cutoff: dt.datetime) -> Subquery:
    """The member's current cipher, only if the number is still the one recorded at cutoff."""
    recorded_hash = _event_value(MemberEvent, member_ref, "id_number_hash", cutoff)
    return Subquery(
        Member.objects.filter(pk=OuterRef(member_ref), id_number_hash=recorded_hash)
        .annotate(hex=Hex("id_number_cipher"))
        .values("hex")[:1]
    )


def _as_of_filters(qs: QuerySet, filters: dict, *, area_field: str) -> QuerySet:
    """The filters a month-close export honours: area (by code) and status."""
    if "area" in filters:
        area = Area.objects.filter(code=filters["area"]).only("prefix").first()
        qs = qs.none() if area is None else qs.filter(**{f"{area_field}__startswith": area.prefix})
    if "status" in filters:
        qs = qs.filter(status=filters["status"])
    return qs


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


# ---- members ---------------------------------------------------------------------------------


class MemberLedgerFilter(MemberFilter):
    """The member list's filters, plus the area every ledger can be cut by."""

    area = django_filters.CharFilter(method="filter_area", label=_("区划代码"))

    class Meta(MemberFilter.Meta):
        fields = [*MemberFilter.Meta.fields, "area"]

    def filter_area(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        area = Area.objects.filter(code=value).only("prefix").first()
        if area is None:
            return queryset.none()
        return queryset.filter(household__area_code__startswith=area.prefix)


def _member_categories(day: dt.date) -> Subquery:
    """Categories covering a member on `day`: household ones through Enrolment.members."""
    from django.contrib.postgres.aggregates import StringAgg

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
    Column("area_code", _("区划代码"), "household__area__code"),
    Column("area_name", _("社区/网格"), "household__area__name"),
    Column("address", _("家庭住址"), "household__address", width=30),
    Column("head_name", _("户主姓名"), "household__head__name", width=10),
    Column("name", _("姓名"), "name", width=10),
    Column(
        "id_number",
        _("身份证号"),
        "id_number_masked",
        Kind.ID_NUMBER,
        width=20,
        help=_("脱敏为前4位和后4位；有“导出完整身份证号”权限时为完整号码"),
    ),
    Column("sex", _("性别"), "sex", width=6),
    Column("birth_date", _("出生日期"), "birth_date", Kind.DATE, width=12),
    Column("relation", _("与户主关系"), "relation", width=10),
    Column("phone", _("联系电话"), "phone"),
    Column("disability_type", _("残疾类别"), "disability_type", width=10),
    Column("disability_grade", _("残疾等级"), "disability_grade", width=10),
    Column("health", _("健康状况"), "health", width=10),
    Column("illness", _("疾病名称"), "illness"),
    Column("labour_capacity", _("劳动能力"), "labour_capacity"),
    Column("employment", _("就业状况"), "employment", width=10),
    Column("schooling", _("在学情况"), "schooling", width=10),
    Column("lives_alone", _("独居"), "lives_alone", width=6),
    Column("monthly_income", _("月收入（元）"), "monthly_income", Kind.NUMBER, width=12),
    Column("categories", _("救助类别"), "categories", help=_("覆盖该成员的有效类别")),
    Column("status", _("状态"), "status", width=8),
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
    from django.utils import timezone

    qs = selectors.member_list(actor=actor)
    if filters:
        qs = selectors._filtered(MemberLedgerFilter, qs, filters)
    qs = qs.order_by("household__area_code", "household_id", "id")
    exprs = [
        F("household__area__code"),
        F("household__area__name"),
        F("household__address"),
        F("household__head__name"),
        *_member_value_exprs(full_id_numbers),
        _member_categories(timezone.localdate()),
        label_of("status", Member.Status.choices),
    ]
    return RowQuery(qs.values_list(*exprs), cipher_column=5 if full_id_numbers else None)


def _member_rows_as_of(*, actor: User | None, filters: dict, day: dt.date, full: bool) -> RowQuery:
    cutoff = end_of_day(day)
    prefix = _history_prefix(actor)
    qs = _latest(MemberEvent, cutoff).annotate(
        hh_area_code=_event_value(HouseholdEvent, "household_id", "area_code", cutoff),
        hh_area_id=_event_value(HouseholdEvent, "household_id", "area_id", cutoff),
    )
    qs = qs.none() if prefix is None else qs.filter(hh_area_code__startswith=prefix)
    qs = _as_of_filters(qs, filters, area_field="hh_area_code")
    values = _member_value_exprs(False)
    if full:
        values[1] = _cipher_as_of("pgh_obj_id", cutoff)
    exprs = [
        Subquery(Area.objects.filter(pk=OuterRef("hh_area_id")).values("code")[:1]),
        Subquery(Area.objects.filter(pk=OuterRef("hh_area_id")).values("name")[:1]),
        _event_value(HouseholdEvent, "household_id", "address", cutoff),
        RawSQL(
            "(SELECT me.name FROM households_memberevent me WHERE me.pgh_obj_id = ("
            "SELECT he.head_id FROM households_householdevent he WHERE he.pgh_obj_id = "
            '"households_memberevent"."household_id" AND he.pgh_created_at < %s '
            "ORDER BY he.pgh_id DESC LIMIT 1) AND me.pgh_created_at < %s "
            "ORDER BY me.pgh_id DESC LIMIT 1)",
            [cutoff, cutoff],
            output_field=CharField(),
        ),
        *values,
        RawSQL(_MEMBER_CATEGORIES_AS_OF, [cutoff, day, day], output_field=CharField()),  # noqa: S611
        label_of("status", Member.Status.choices),
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


# ---- enrolments ------------------------------------------------------------------------------


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
    from django.contrib.postgres.aggregates import StringAgg

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
    Column("area_code", _("区划代码"), "household__area__code"),
    Column("area_name", _("社区/网格"), "household__area__name"),
    Column("address", _("家庭住址"), "household__address", width=30),
    Column("head_name", _("户主姓名"), "household__head__name", width=10),
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
    Column("status", _("状态"), "status", width=8),
    Column("decided_at", _("审批时间"), "decided_at", width=16),
]


def _enrolment_rows(
    *, actor: User | None, filters: dict, as_of: dt.date | None, full_id_numbers: bool
) -> RowQuery:
    if as_of is not None:
        return _enrolment_rows_as_of(actor=actor, filters=filters, day=as_of, full=full_id_numbers)
    qs = selectors.enrolment_list(actor=actor, filters=filters).prefetch_related(None)
    qs = qs.order_by("household__area_code", "household_id", "category__sort_order", "id")
    exprs = [
        F("household__area__code"),
        F("household__area__name"),
        F("household__address"),
        F("household__head__name"),
        F("category__name"),
        F("member__name"),
        Hex("member__id_number_cipher") if full_id_numbers else F("member__id_number_masked"),
        _covered(),
        _covered_names(),
        F("monthly_amount"),
        AsText("start_date"),
        AsText("end_date"),
        AsText("review_due"),
        label_of("status", Enrolment.Status.choices),
        LocalDateTime("decided_at"),
    ]
    return RowQuery(qs.values_list(*exprs), cipher_column=6 if full_id_numbers else None)


def _enrolment_rows_as_of(
    *, actor: User | None, filters: dict, day: dt.date, full: bool
) -> RowQuery:
    cutoff = end_of_day(day)
    prefix = _history_prefix(actor)
    qs = _latest(EnrolmentEvent, cutoff).annotate(
        hh_area_code=_event_value(HouseholdEvent, "household_id", "area_code", cutoff),
        hh_area_id=_event_value(HouseholdEvent, "household_id", "area_id", cutoff),
    )
    qs = qs.none() if prefix is None else qs.filter(hh_area_code__startswith=prefix)
    qs = _as_of_filters(qs, filters, area_field="hh_area_code")
    if "category" in filters:
        qs = qs.filter(category_id=filters["category"])
    exprs = [
        Subquery(Area.objects.filter(pk=OuterRef("hh_area_id")).values("code")[:1]),
        Subquery(Area.objects.filter(pk=OuterRef("hh_area_id")).values("name")[:1]),
        _event_value(HouseholdEvent, "household_id", "address", cutoff),
        RawSQL(
            "(SELECT me.name FROM households_memberevent me WHERE me.pgh_obj_id = ("
            "SELECT he.head_id FROM households_householdevent he WHERE he.pgh_obj_id = "
            '"households_enrolmentevent"."household_id" AND he.pgh_created_at < %s '
            "ORDER BY he.pgh_id DESC LIMIT 1) AND me.pgh_created_at < %s "
            "ORDER BY me.pgh_id DESC LIMIT 1)",
            [cutoff, cutoff],
            output_field=CharField(),
        ),
        F("category__name"),
        _event_value(MemberEvent, "member_id", "name", cutoff),
        _cipher_as_of("member_id", cutoff)
        if full
        else _event_value(MemberEvent, "member_id", "id_number_masked", cutoff),
        _covered("pgh_obj_id"),
        _covered_names("pgh_obj_id"),
        F("monthly_amount"),
        AsText("start_date"),
        AsText("end_date"),
        AsText("review_due"),
        label_of("status", Enrolment.Status.choices),
        LocalDateTime("decided_at"),
    ]
    qs = qs.order_by("hh_area_code", "household_id", "category__sort_order", "pgh_obj_id")
    return RowQuery(qs.values_list(*exprs), cipher_column=6 if full else None)


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
