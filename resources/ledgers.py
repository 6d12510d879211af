"""The five lists of the resource pool (五张清单) as ledgers, under the names communities use.

Each list is one ledger over the same scoped pool (`resource_qs_visible_to`): a street's
staff get the resources serving their street, the communities below it and the district
above it, as on the pool page. The columns are the ones a community prints and posts:
what is offered, by whom, how to reach them, for whom, how much and until when.

A contact phone that is a person's (a volunteer's or a party member's pairing, or any
mobile number) is masked as the registry's phones are, unless the export is one with full
numbers, which needs the same permission. An office's landline is shown as it is: it is
the number residents are meant to call.

The pool keeps its history, but a list is what is on offer now: there is no "as of" export.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import Case, CharField, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.ledgers.definitions import (
    AsText,
    Column,
    Kind,
    Ledger,
    MaskedPhone,
    RowQuery,
    label_of,
    register,
)
from core.selectors import filtered
from households.models import Area, Category
from households.selectors import area_get
from resources.models import Provider, Resource
from resources.selectors import ancestor_prefixes, resource_qs_visible_to
from resources.vocabulary import NeedType

if TYPE_CHECKING:
    from households.models import User

L = Resource.PoolList

# (ledger name, list, title, description): titles are the lists' names in a community's files.
LISTS = [
    (
        "pool-policy",
        L.POLICY,
        _("社会救助政策清单"),
        _("每项救助政策一行：主管部门、内容、面向的救助类别和服务范围。"),
    ),
    (
        "pool-social-org",
        L.SOCIAL_ORG,
        _("社会组织服务清单"),
        _("社会组织提供的每项服务一行：提供方、联系方式、内容、对象和名额。"),
    ),
    (
        "pool-unit",
        L.UNIT,
        _("驻地单位帮扶清单"),
        _("驻地单位的每项帮扶一行：提供方、联系方式、内容、对象和名额。"),
    ),
    (
        "pool-caring",
        L.CARING,
        _("爱心人士帮扶清单"),
        _("爱心企业、志愿者和党员结对的每项帮扶一行；个人的电话已脱敏。"),
    ),
    (
        "pool-life",
        L.LIFE,
        _("居民生活“百事通”清单"),
        _("居民日常生活服务每项一行：提供方、联系方式、内容和服务范围。"),
    ),
]

# Providers who are people, not offices: their phone is personal data.
PERSON_KINDS = (Provider.Kind.VOLUNTEER, Provider.Kind.PARTY_MEMBER)
# A mainland mobile number (optionally with 86 in front), once spaces and dashes are dropped.
MOBILE = r"^(86)?1[3-9][0-9]{9}$"


class Digits(Func):
    """A phone as its digits alone, as core.masking reads it."""

    template = "regexp_replace(%(expressions)s, '[^0-9]', '', 'g')"
    output_field = CharField()


class ArrayLabels(Func):
    """An array of codes as their labels joined by 、, or `empty` when it has none."""

    output_field = CharField()

    def __init__(self, field: str, choices: Any, empty: Any) -> None:
        super().__init__(F(field))
        self.choices = [(str(value), str(label)) for value, label in choices]
        self.empty = str(empty)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        whens = " ".join("WHEN %s THEN %s" for _ in self.choices)
        labels = [part for pair in self.choices for part in pair]
        # Only the compiled field and placeholders go into the text; the labels are parameters.
        select = f"SELECT CASE c {whens} ELSE c END FROM unnest({sql})"  # noqa: S608
        return (
            f"(CASE WHEN cardinality({sql}) = 0 THEN %s ELSE array_to_string(ARRAY("
            f"{select} WITH ORDINALITY AS u(c, n) ORDER BY n), '、') END)",
            (*params, self.empty, *labels, *params),
        )


class PoolLedgerFilter(django_filters.FilterSet):
    """A list for one area: the resources that serve it, from the district down to it."""

    area = django_filters.CharFilter(method="filter_area", label=_("区划代码"))
    kind = django_filters.ChoiceFilter(choices=Resource.Kind.choices, label=_("资源类型"))
    active = django_filters.BooleanFilter(label=_("在用"))

    class Meta:
        model = Resource
        fields = ["area", "kind", "active"]

    def filter_area(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        area = Area.objects.filter(code=value).only("prefix").first()
        if area is None:
            return queryset.none()
        return queryset.filter(
            Q(area_code__startswith=area.prefix) | Q(area_code__in=ancestor_prefixes(area.prefix))
        )


COLUMNS = [
    Column("name", _("名称"), "name", width=20),
    Column("kind", _("类型"), "kind", width=6),
    Column("provider", _("提供方"), "provider__name", width=20),
    Column("provider_area", _("提供方所在社区"), "provider__area__name", width=14),
    Column("contact_name", _("联系人"), "provider__contact_name", width=10),
    Column(
        "contact_phone",
        _("联系电话"),
        "provider__contact_phone",
        width=14,
        help=_("个人（志愿者、党员、手机号）的电话已脱敏；有完整号码导出权限时导出完整号码"),
    ),
    Column("department", _("主管部门"), "department", width=16),
    Column("description", _("提供内容"), "description", width=30),
    Column("needs", _("满足需求"), "need_types", width=12),
    Column(
        "serves",
        _("服务对象"),
        "categories",
        width=16,
        help=_("面向的救助类别；未限定时为所有困难群众"),
    ),
    Column("area", _("服务范围"), "area__name", width=14),
    Column(
        "amount",
        _("名额/库存"),
        "capacity",
        Kind.NUMBER,
        width=8,
        help=_("服务类为每期名额，物资类为现有库存；政策不限"),
    ),
    Column("unit", _("单位"), "unit", width=6),
    Column("period", _("周期"), "period", width=8, help=_("服务名额的重置周期")),
    Column("valid", _("有效期"), "available_from", width=22),
    Column(
        "status", _("状态"), "active", width=8, help=_("在用、停用、未开始或已过期，按导出当日")
    ),
]


def _phone(full: bool) -> Any:
    if full:
        return F("provider__contact_phone")
    personal = Q(provider__kind__in=PERSON_KINDS) | Q(
        provider_phone_digits__regex=MOBILE,
    )
    return Case(
        When(provider__contact_phone="", then=Value("")),
        When(personal, then=MaskedPhone("provider_phone_digits")),
        default=F("provider__contact_phone"),
        output_field=CharField(),
    )


def _valid() -> Any:
    since = Coalesce(AsText("available_from"), Value(""))
    until = Coalesce(AsText("available_until"), Value(""))
    return Case(
        When(available_from__isnull=True, available_until__isnull=True, then=Value(str(_("长期")))),
        When(available_until__isnull=True, then=Concat(since, Value(str(_(" 起"))))),
        When(available_from__isnull=True, then=Concat(Value(str(_("至 "))), until)),
        default=Concat(since, Value(" — "), until),
        output_field=CharField(),
    )


def _status(today: dt.date) -> Any:
    return Case(
        When(Q(active=False) | Q(provider__active=False), then=Value(str(_("停用")))),
        When(available_from__gt=today, then=Value(str(_("未开始")))),
        When(available_until__lt=today, then=Value(str(_("已过期")))),
        default=Value(str(_("在用"))),
        output_field=CharField(),
    )


def _period() -> Any:
    return Case(
        When(kind=Resource.Kind.SERVICE, then=label_of("period", Resource.Period.choices)),
        default=Value(""),
        output_field=CharField(),
    )


def _amount() -> Any:
    return Case(
        When(kind=Resource.Kind.SERVICE, then=F("capacity")),
        When(kind=Resource.Kind.GOODS, then=F("stock")),
        default=None,
        output_field=IntegerField(),
    )


def _rows_of(pool_list: str) -> Any:
    def rows(
        *, actor: User | None, filters: Any, as_of: dt.date | None, full_id_numbers: bool
    ) -> RowQuery:
        if filters.get("area"):
            area_get(actor=actor, code=filters["area"])  # an area out of scope is not found
        qs = resource_qs_visible_to(actor=actor).filter(pool_list=pool_list)
        qs = filtered(PoolLedgerFilter, qs, filters, actor)
        qs = qs.annotate(provider_phone_digits=Digits("provider__contact_phone"))
        exprs = [
            F("name"),
            label_of("kind", Resource.Kind.choices),
            F("provider__name"),
            F("provider__area__name"),
            F("provider__contact_name"),
            _phone(full_id_numbers),
            F("department"),
            F("description"),
            ArrayLabels("need_types", NeedType.choices, ""),
            ArrayLabels("categories", Category.Code.choices, _("所有困难群众")),
            F("area__name"),
            _amount(),
            F("unit"),
            _period(),
            _valid(),
            _status(timezone.localdate()),
        ]
        qs = qs.order_by("area_code", "provider__name", "name", "id")
        return RowQuery(qs.values_list(*exprs))

    return rows


for _name, _list, _title, _description in LISTS:
    register(
        Ledger(
            name=_name,
            title=_title,
            description=_description,
            columns=COLUMNS,
            filterset_class=PoolLedgerFilter,
            rows=_rows_of(_list),
        )
    )
