"""The five lists of the resource pool (五张清单) as ledgers, under the names communities use.

Each list is one ledger over the same scoped pool (`resource_qs_visible_to`): a street's
staff get the resources serving their street, the communities below it and the district
above it, as on the pool page. The columns are the ones a community prints and posts:
what is offered, by whom, how to reach them, for whom, how much and until when.

A contact phone that is a person's (a volunteer's or a party member's pairing, or any
mobile number) is masked as the registry's phones are, unless the export is one with full
numbers, which needs the same permission. An office's landline is shown as it is: it is
the number residents are meant to call.

Month close ("as of" a day): the pool is kept in history (django-pghistory), so a list as of
day D is rebuilt from each resource's last event before the end of D, with its provider as
it was then, as the needs and referrals ledgers are (matching/ledgers.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import (
    Case,
    CharField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.capabilities import Can, can
from access.scope import scope_prefix, serving
from core.selectors import filtered
from households.models import Area, Category
from households.selectors import area_get
from ledgers.definitions import (
    AsText,
    Column,
    Kind,
    Ledger,
    MaskedPhone,
    RowQuery,
    end_of_day,
    label_of,
    register,
)
from resources.models import Provider, ProviderEvent, Resource, ResourceEvent
from resources.selectors import resource_qs_visible_to
from resources.vocabulary import NeedType, list_ledger_name

if TYPE_CHECKING:
    from households.models import User

L = Resource.PoolList

# (list, title, description): titles are the lists' names in a community's files.
LISTS = [
    (
        L.POLICY,
        _("社会救助政策清单"),
        _("每项救助政策一行：主管部门、内容、面向的救助类别和服务范围。"),
    ),
    (
        L.SOCIAL_ORG,
        _("社会组织服务清单"),
        _("社会组织提供的每项服务一行：提供方、联系方式、内容、对象和名额。"),
    ),
    (
        L.UNIT,
        _("驻地单位帮扶清单"),
        _("驻地单位的每项帮扶一行：提供方、联系方式、内容、对象和名额。"),
    ),
    (
        L.CARING,
        _("爱心人士帮扶清单"),
        _("爱心企业、志愿者和党员结对的每项帮扶一行；个人的电话已脱敏。"),
    ),
    (
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


class Masked(MaskedPhone):
    """core's MaskedPhone over an expression with parameters of its own (a subquery of the
    history): its template names the value several times, so the parameters repeat too."""

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        times = self.template.count("%(expressions)s")
        return self.template % {"expressions": sql}, tuple(params) * times


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
        return queryset.filter(serving("area_code", area.prefix))


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
        "status",
        _("状态"),
        "active",
        width=8,
        help=_("在用、停用、未开始或已过期，按导出当日或截至日期"),
    ),
]


def _phone(full: bool) -> Any:
    if full:
        return F("p_phone")
    personal = Q(p_kind__in=PERSON_KINDS) | Q(p_phone_digits__regex=MOBILE)
    return Case(
        When(p_phone="", then=Value("")),
        When(personal, then=Masked("p_phone_digits")),
        default=F("p_phone"),
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
        When(Q(active=False) | Q(p_active=False), then=Value(str(_("停用")))),
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


def _exprs(*, full: bool, day: dt.date) -> list[Any]:
    """The columns over a resource row annotated with its provider's `p_*` values."""
    return [
        F("name"),
        label_of("kind", Resource.Kind.choices),
        F("p_name"),
        F("p_area_name"),
        F("p_contact_name"),
        _phone(full),
        F("department"),
        F("description"),
        ArrayLabels("need_types", NeedType.choices, ""),
        ArrayLabels("categories", Category.Code.choices, _("所有困难群众")),
        F("area_name"),
        _amount(),
        F("unit"),
        _period(),
        _valid(),
        _status(day),
    ]


def _rows_of(pool_list: str) -> Any:
    def rows(
        *, actor: User | None, filters: Any, as_of: dt.date | None, full_id_numbers: bool
    ) -> RowQuery:
        if filters.get("area"):
            area_get(actor=actor, code=filters["area"])  # an area out of scope is not found
        if as_of is not None:
            return _rows_as_of(
                pool_list, actor=actor, filters=filters, day=as_of, full=full_id_numbers
            )
        qs = resource_qs_visible_to(actor=actor).filter(pool_list=pool_list)
        qs = filtered(PoolLedgerFilter, qs, filters, actor).annotate(
            p_name=F("provider__name"),
            p_area_name=F("provider__area__name"),
            p_contact_name=F("provider__contact_name"),
            p_phone=F("provider__contact_phone"),
            p_kind=F("provider__kind"),
            p_active=F("provider__active"),
            area_name=F("area__name"),
        )
        qs = qs.annotate(p_phone_digits=Digits("p_phone"))
        qs = qs.order_by("area_code", "p_name", "name", "id")
        return RowQuery(qs.values_list(*_exprs(full=full_id_numbers, day=timezone.localdate())))

    return rows


# ---- month close: the lists as they were at the end of a day ---------------------------------


def _latest(cutoff: dt.datetime) -> QuerySet:
    """Each resource as it was at `cutoff`: its last history event before then, unless deleted."""
    last = (
        ResourceEvent.objects.filter(pgh_created_at__lt=cutoff)
        .order_by("pgh_obj_id", "-pgh_id")
        .distinct("pgh_obj_id")
        .values("pgh_id")
    )
    return ResourceEvent.objects.filter(pgh_id__in=last).exclude(pgh_label="delete")


def _provider_then(field: str, cutoff: dt.datetime) -> Subquery:
    return Subquery(
        ProviderEvent.objects.filter(pgh_obj_id=OuterRef("provider_id"), pgh_created_at__lt=cutoff)
        .order_by("-pgh_id")
        .values(field)[:1]
    )


def _area_name(ref: str) -> Subquery:
    return Subquery(Area.objects.filter(pk=OuterRef(ref)).values("name")[:1])


def _rows_as_of(
    pool_list: str, *, actor: User | None, filters: Any, day: dt.date, full: bool
) -> RowQuery:
    """A list as it stood at the end of `day`, from the pool's history: the resources then
    on it, their stock and capacity, and their providers' names and contacts then. Names of
    areas are today's, as in the registry's month close; the status is the one of `day`."""
    cutoff = end_of_day(day)
    prefix = (
        None
        if can(actor, Can.ACT_FOR_PROVIDER) or not can(actor, Can.VIEW_POOL)
        else scope_prefix(actor)
    )
    qs = _latest(cutoff).filter(pool_list=pool_list)
    qs = qs.none() if prefix is None else qs.filter(serving("area_code", prefix))
    qs = filtered(PoolLedgerFilter, qs, filters, actor)
    qs = qs.annotate(
        p_name=_provider_then("name", cutoff),
        p_area_id=_provider_then("area_id", cutoff),
        p_contact_name=_provider_then("contact_name", cutoff),
        p_phone=_provider_then("contact_phone", cutoff),
        p_kind=_provider_then("kind", cutoff),
        p_active=_provider_then("active", cutoff),
        area_name=_area_name("area_id"),
    )
    qs = qs.annotate(p_area_name=_area_name("p_area_id"), p_phone_digits=Digits("p_phone"))
    qs = qs.order_by("area_code", "p_name", "name", "pgh_obj_id")
    return RowQuery(qs.values_list(*_exprs(full=full, day=day)))


for _list, _title, _description in LISTS:
    register(
        Ledger(
            name=list_ledger_name(_list),
            title=_title,
            description=_description,
            columns=COLUMNS,
            filterset_class=PoolLedgerFilter,
            supports_as_of=True,
            as_of_filters=("area", "kind", "active"),
            rows=_rows_of(_list),
        )
    )
