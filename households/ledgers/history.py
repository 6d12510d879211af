"""Ledgers as of a past day (month close), rebuilt from django-pghistory's events.

See the package docstring for the rule and its limits. Every read here is scoped by the same
rule as household_qs_visible_to (role + area prefix), on the area code the household had then.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from access.scope import scope_prefix, within
from households.models import Area, EnrolmentEvent, HouseholdEvent, Member, MemberEvent
from ledgers.definitions import Hex

if TYPE_CHECKING:
    from households.models import User


def history_prefix(actor: User | None) -> str | None:
    """The scope of history reads: the same rule as household_qs_visible_to (role + area)."""
    if not can(actor, Can.VIEW_REGISTRY):
        return None
    return scope_prefix(actor)


def begins(ref: Any) -> Subquery:
    """When the history of household `ref` (an expression of its id) begins: its first event."""
    return Subquery(
        HouseholdEvent.objects.filter(pgh_obj_id=ref)
        .order_by("pgh_id")
        .values("pgh_created_at")[:1],
        output_field=DateTimeField(),
    )


def _household_of(event_model: Any) -> str:
    """The field of an event row that names its household."""
    return "pgh_obj_id" if event_model is HouseholdEvent else "household_id"


def until(event_model: Any, cutoff: dt.datetime) -> Greatest:
    """The cutoff for the event row being filtered: `cutoff`, unless the history of its
    household begins later (the household was loaded or imported after the day asked for);
    then just after that household's first transaction, whose rows stand for the household
    on that day, placed by their own dates (`placed_by_own_dates`). A household tracked
    before the day is read from its history alone, so a month close stays the same when it
    is produced again."""
    first = begins(OuterRef(_household_of(event_model)))
    return Greatest(
        Value(cutoff, output_field=DateTimeField()),
        ExpressionWrapper(first + Value(_TICK), output_field=DateTimeField()),
    )


_TICK = dt.timedelta(microseconds=1)


def latest(event_model: Any, cutoff: dt.datetime) -> QuerySet:
    """Each row's state at `cutoff` (its last event before then, unless that was a delete),
    or as its household's first transaction left it when that household's history begins
    after `cutoff` (`until`); `history_begins` is when the household's history begins."""
    last = (
        event_model.objects.filter(pgh_created_at__lt=until(event_model, cutoff))
        .order_by("pgh_obj_id", "-pgh_id")
        .distinct("pgh_obj_id")
        .values("pgh_id")
    )
    return (
        event_model.objects.filter(pgh_id__in=last)
        .exclude(pgh_label="delete")
        .annotate(history_begins=begins(OuterRef(_household_of(event_model))))
    )


def on_the_books(household: str, cutoff: dt.datetime, day: dt.date) -> Q:
    """For rows of `latest`: the row's household was there on `day`, by its history, or, when
    its history begins later, by its own dates: registered before the day, or with an
    enrolment (as first recorded) that had started by the day."""
    registered = Exists(
        HouseholdEvent.objects.filter(pgh_obj_id=OuterRef(household), created_at__lt=cutoff)
    )
    started = Exists(
        EnrolmentEvent.objects.filter(
            household_id=OuterRef(household),
            start_date__lte=day,
            pgh_created_at__lt=until(EnrolmentEvent, cutoff),
        )
    )
    return Q(history_begins__lt=cutoff) | Q(registered) | Q(started)


def placed_by_own_dates(cutoff: dt.datetime) -> Any:
    """The ledger's note column: 是 for a row placed by its own dates (its household's
    history begins after the day asked for), empty otherwise."""
    return Case(
        When(history_begins__gte=cutoff, then=Value(str(_("是")))),
        default=Value(""),
        output_field=CharField(),
    )


def event_value(event_model: Any, outer: str, field: str, cutoff: dt.datetime) -> Subquery:
    """One field of a related row as it was at `cutoff` (through that row's history; `until`
    for a household whose history begins later)."""
    return Subquery(
        event_model.objects.filter(
            pgh_obj_id=OuterRef(outer), pgh_created_at__lt=until(event_model, cutoff)
        )
        .order_by("-pgh_id")
        .values(field)[:1]
    )


def _until_sql(household: str) -> str:
    """`until` in SQL, for the fixed queries below (`household`: the SQL of the household's
    id); one %s parameter, the cutoff."""
    return (
        "GREATEST(%s, (SELECT f.pgh_created_at FROM households_householdevent f "  # noqa: S608
        f"WHERE f.pgh_obj_id = {household} ORDER BY f.pgh_id LIMIT 1) "
        "+ interval '1 microsecond')"
    )


# Enrolment states of one household (the outer history row) at a cutoff, active on a day.
ACTIVE_AS_OF = (
    "SELECT s.* FROM (SELECT DISTINCT ON (ee.pgh_obj_id) ee.* "  # noqa: S608
    "FROM households_enrolmentevent ee "
    'WHERE ee.household_id = "households_householdevent"."pgh_obj_id" '
    "AND ee.pgh_created_at < "
    + _until_sql("ee.household_id")
    + " ORDER BY ee.pgh_obj_id, ee.pgh_id DESC) s "
    "WHERE s.pgh_label <> 'delete' AND s.status IN ('approved', 'ended') "
    "AND s.start_date <= %s AND (s.end_date IS NULL OR s.end_date >= %s)"
)
# The SQL below is fixed text; every value (cutoff, day) goes in as a parameter.
CATEGORIES_AS_OF = (
    "(SELECT string_agg(c.name, '、' ORDER BY c.sort_order) FROM ("  # noqa: S608
    + ACTIVE_AS_OF
    + ") a "
    "JOIN households_category c ON c.code = a.category_id)"
)
AMOUNT_AS_OF = "(SELECT sum(a.monthly_amount) FROM (" + ACTIVE_AS_OF + ") a)"  # noqa: S608
# Categories covering one member (the outer history row) at a cutoff, active on a day.
MEMBER_CATEGORIES_AS_OF = (
    "(SELECT string_agg(c.name, '、' ORDER BY c.sort_order) FROM ("  # noqa: S608
    + ACTIVE_AS_OF.replace(
        'ee.household_id = "households_householdevent"."pgh_obj_id"',
        "ee.pgh_obj_id IN (SELECT em.enrolment_id FROM households_enrolment_members em "
        'WHERE em.member_id = "households_memberevent"."pgh_obj_id")',
    )
    + ") a JOIN households_category c ON c.code = a.category_id)"
)
# Active members of one household at a cutoff (members may have moved between households).
MEMBERS_AS_OF = (
    "(SELECT count(*) FROM (SELECT DISTINCT ON (me.pgh_obj_id) me.status, me.household_id, "  # noqa: S608
    "me.pgh_label FROM households_memberevent me WHERE me.pgh_obj_id IN ("
    "SELECT m2.pgh_obj_id FROM households_memberevent m2 "
    'WHERE m2.household_id = "households_householdevent"."pgh_obj_id") '
    "AND me.pgh_created_at < "
    + _until_sql("me.household_id")
    + " ORDER BY me.pgh_obj_id, me.pgh_id DESC) s "
    "WHERE s.pgh_label <> 'delete' AND s.status = 'active' "
    'AND s.household_id = "households_householdevent"."pgh_obj_id")'
)

# The name of an event row's household head, as at a cutoff (both parameters: the cutoff).
_HEAD_NAME_AS_OF = (
    "(SELECT me.name FROM households_memberevent me WHERE me.pgh_obj_id = ("  # noqa: S608
    "SELECT he.head_id FROM households_householdevent he WHERE he.pgh_obj_id = "
    '"{table}"."household_id" AND he.pgh_created_at < '
    + _until_sql("he.pgh_obj_id")
    + " ORDER BY he.pgh_id DESC LIMIT 1) AND me.pgh_created_at < "
    + _until_sql("me.household_id")
    + " ORDER BY me.pgh_id DESC LIMIT 1)"
)


def cipher_as_of(member_ref: str, cutoff: dt.datetime) -> Subquery:
    """The member's current cipher, only if the number is still the one recorded at cutoff.

    The recorded hash is looked up from inside the Member subquery, so its reference is that
    member's own pk: an OuterRef to `member_ref` there would be resolved against Member, which
    has no such field (only the event rows do).
    """
    recorded_hash = event_value(MemberEvent, "pk", "id_number_hash", cutoff)
    return Subquery(
        Member.objects.filter(pk=OuterRef(member_ref), id_number_hash=recorded_hash)
        .annotate(hex=Hex("id_number_cipher"))
        .values("hex")[:1]
    )


def as_of_filters(qs: QuerySet, filters: dict, *, area_field: str) -> QuerySet:
    """The filters a month-close export honours: area (by code) and status."""
    if "area" in filters:
        area = Area.objects.filter(code=filters["area"]).only("prefix").first()
        qs = qs.none() if area is None else qs.filter(within(area_field, area.prefix))
    if "status" in filters:
        qs = qs.filter(status=filters["status"])
    return qs


def events_as_of(
    event_model: Any, *, actor: User | None, filters: dict, cutoff: dt.datetime
) -> QuerySet:
    """A member's or an enrolment's events as at `cutoff`, with the area its household had
    then (hh_area_code, hh_area_id), inside the actor's scope and the export's filters."""
    prefix = history_prefix(actor)
    qs = latest(event_model, cutoff).annotate(
        hh_area_code=event_value(HouseholdEvent, "household_id", "area_code", cutoff),
        hh_area_id=event_value(HouseholdEvent, "household_id", "area_id", cutoff),
    )
    qs = qs.none() if prefix is None else qs.filter(within("hh_area_code", prefix))
    return as_of_filters(qs, filters, area_field="hh_area_code")


def household_exprs_as_of(event_model: Any, cutoff: dt.datetime) -> list[Any]:
    """The four household columns (common.household_columns) of `events_as_of` rows."""
    table = event_model._meta.db_table
    return [
        Subquery(Area.objects.filter(pk=OuterRef("hh_area_id")).values("code")[:1]),
        Subquery(Area.objects.filter(pk=OuterRef("hh_area_id")).values("name")[:1]),
        event_value(HouseholdEvent, "household_id", "address", cutoff),
        RawSQL(  # noqa: S611 (fixed SQL; the table is the model's own, the cutoff a parameter)
            _HEAD_NAME_AS_OF.format(table=table), [cutoff, cutoff], output_field=CharField()
        ),
    ]
