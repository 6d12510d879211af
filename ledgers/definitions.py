"""What a ledger is: fixed, documented columns over a query scoped to the actor.

A ledger's rows come from one SQL query (so they can be copied out of PostgreSQL with COPY):
each column is an ORM expression whose SQL already renders the value as the file shows it
(Chinese labels for codes, local times), so writers only place values. Apps declare their
ledgers in `<app>/ledgers.py` with `@register`; `LedgersConfig.ready()` imports those at start-up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db.models import Case, CharField, Func, Value, When
from django.http import Http404, QueryDict
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_filters import FilterSet

    from access.roles import SignedIn


class Kind(StrEnum):
    """How a column's text is typed in an XLSX cell (CSV is text throughout)."""

    TEXT = "text"
    NUMBER = "number"  # integers and decimals
    DATE = "date"  # ISO yyyy-mm-dd from SQL; a real date cell in XLSX
    ID_NUMBER = "id_number"  # masked by SQL, or a cipher the writer decrypts (full export)


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # a lazy translation: the Chinese header of the file
    expr: Any  # a field path or an ORM expression, evaluated in SQL
    kind: Kind = Kind.TEXT
    help: Any = ""
    width: int = 14
    # Values of our own making (a code's label, a formatted time, an area code), which never
    # start a spreadsheet formula: CSV need not check them (csvfile.formula_safe_select).
    trusted: bool = False


@dataclass(frozen=True)
class RowQuery:
    """The ledger's rows as one queryset of `values_list(*column expressions)`."""

    queryset: QuerySet
    # Position of the identity-number column whose values are ciphers to decrypt, if any.
    cipher_column: int | None = None


@dataclass
class Ledger:
    """One ledger: its name in URLs, its title, its columns, its filters and its rows."""

    name: str
    title: Any
    columns: list[Column]
    filterset_class: type[FilterSet] | None = None
    # Filters that a month-close ("as of") export understands; others are refused.
    as_of_filters: tuple[str, ...] = ()
    supports_as_of: bool = False
    list_url_name: str = ""
    description: Any = ""
    # Returns RowQuery for (actor, filters, as_of, full_id_numbers).
    rows: Any = field(default=None, repr=False)
    registry: ClassVar[dict[str, Ledger]] = {}

    def row_query(
        self,
        *,
        actor: SignedIn | None,
        filters: dict[str, Any] | None = None,
        as_of: dt.date | None = None,
        full_id_numbers: bool = False,
    ) -> RowQuery:
        return self.rows(
            actor=actor,
            filters=as_query_dict(filters or {}),
            as_of=as_of,
            full_id_numbers=full_id_numbers,
        )

    @property
    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]


def as_query_dict(filters: dict[str, Any]) -> QueryDict:
    """Filters as a QueryDict, as a list page gets them: multiple-choice filters need one."""
    data = QueryDict(mutable=True)
    for key, value in filters.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return data


def register(ledger: Ledger) -> Ledger:
    Ledger.registry[ledger.name] = ledger
    return ledger


def autodiscover() -> None:
    """Import each app's `ledgers.py`, as the admin imports each `admin.py`.

    Called from LedgersConfig.ready(), so a ledger module that fails to import stops start-up
    with its own traceback; leaving it out would turn its ledger into a silent 404.
    """
    autodiscover_modules("ledgers")


def all_ledgers() -> list[Ledger]:
    return list(Ledger.registry.values())


def get_ledger(name: str) -> Ledger:
    """The ledger called `name`, or 404: URLs carry ledger names."""
    try:
        return Ledger.registry[name]
    except KeyError:
        raise Http404 from None


# ---- SQL helpers the apps' ledgers use --------------------------------------------------


def label_of(field_name: str, choices: Any) -> Case:
    """A code column rendered as its (translated) label, in SQL."""
    return Case(
        *[When(**{field_name: value}, then=Value(str(label))) for value, label in choices],
        default=Value(""),
        output_field=CharField(),
    )


class LocalDateTime(Func):
    """A timestamptz as local 'YYYY-MM-DD HH24:MI' text (the settings' time zone)."""

    output_field = CharField()

    def __init__(self, expression: Any) -> None:
        super().__init__(expression)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"to_char(({sql}) AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI')",
            (*params, settings.TIME_ZONE),
        )


class LocalDate(LocalDateTime):
    """A timestamptz as its local date, 'YYYY-MM-DD'."""

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"to_char(({sql}) AT TIME ZONE %s, 'YYYY-MM-DD')",
            (*params, settings.TIME_ZONE),
        )


class AsText(Func):
    """Any value as text (dates stay ISO, decimals keep their scale)."""

    template = "(%(expressions)s)::text"
    output_field = CharField()


class MaskedPhone(Func):
    """A phone number with all but its first 3 and last 4 digits starred (core.masking)."""

    template = (
        "(CASE WHEN length(%(expressions)s) >= 8 THEN left(%(expressions)s, 3) || "
        "repeat('*', length(%(expressions)s) - 7) || right(%(expressions)s, 4) "
        "ELSE repeat('*', length(%(expressions)s)) END)"
    )
    output_field = CharField()


class Hex(Func):
    """A bytea as hex text: how ciphers reach the writer that decrypts them."""

    template = "encode(%(expressions)s, 'hex')"
    output_field = CharField()


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after `day` in local time: a month close's cutoff for history."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
