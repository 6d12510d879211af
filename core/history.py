"""Trigger-based history (django-pghistory) for domain models, configured once, and read back.

Every insert, update and delete is kept by database triggers, so bulk updates and jobs are
recorded too; a request's user and URL come from pghistory's middleware, and writes outside
a request attach to the "system" context (config/services.py).

Reading: `timeline(root=obj)` gathers the events of an object and of everything that belongs
to it (a household: its members, enrolments, visits, follow-ups, needs, referrals …), newest
first, one keyset page at a time. Which event tables belong to a root is discovered from the
models, so an app that starts tracking a model with a foreign key to the root (or to a model
that has one) appears in the timeline without a change here; `register_path` covers the rest.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

import pghistory
import pgtrigger
from django.apps import apps
from django.core import signing
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from core.masking import mask_phone

_SALT = "zhulian.history"
PAGE_SIZE = 30

# Never shown in a timeline: keys and bookkeeping nobody reads as a change.
_HIDDEN_FIELDS = frozenset(
    {"id", "uuid", "created_at", "updated_at", "version", "area_code", "prefix"}
)
# Shown only as "changed": an identity number is never in a timeline, not even masked
# (the cipher is not in the event tables at all; see households/models.py).
_SECRET_MARKS = ("id_number",)
# Fields whose value names the object in a timeline entry, first present wins.
_TITLE_FIELDS = ("name", "title", "address", "category", "type", "method")


def tracked(**kwargs: Any) -> Any:
    """Class decorator: keep the model's full history (insert, update, delete snapshots)."""
    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs
    )


# ---- history for tables that bulk jobs write (batch matching, campaigns) ----
#
# History for tables that bulk jobs write by the tens of thousands (batch matching, campaigns).
#
# The same who/when/what as `core.history.tracked` (the same events and context), but kept by
# statement-level triggers: one INSERT … SELECT from the statement's transition table copies
# all the rows a statement touched, where a row-level trigger runs once per row. And the event
# table indexes only what history is read by (the tracked row): pghistory would otherwise
# index every foreign key it copies and the context, and a batch run's 46,000 referral events
# paid for fifteen indexes each.

M = TypeVar("M", bound=type[models.Model])


def _unindexed(field: models.ForeignKey) -> models.ForeignKey:
    """The event table's copy of a foreign key: no constraint, no index, no reverse name."""
    return models.ForeignKey(
        field.remote_field.model,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        related_query_name="+",
        null=field.null,
        blank=field.blank,
        verbose_name=field.verbose_name,
    )


def tracked_in_bulk() -> Callable[[M], M]:
    """Class decorator: full history (insert, update, delete) at statement level."""

    def decorate(model: M) -> M:
        keys = {
            field.name: _unindexed(field)
            for field in model._meta.local_concrete_fields
            if isinstance(field, models.ForeignKey)
        }
        return pghistory.track(
            pghistory.InsertEvent(),
            # Every update our services and jobs make moves `version` or `updated_at`, so the
            # "anything changed?" condition (a join of the old and new rows) only costs time.
            pghistory.UpdateEvent(condition=None),
            pghistory.DeleteEvent(),
            level=pgtrigger.Statement,
            attrs=keys,
            # Read from the event to its context (who, which request or job), never the
            # other way: no index. It cost a batch run ~0.1 s per 50,000 events.
            context_field=pghistory.ContextForeignKey(db_index=False),
        )(model)

    return decorate


# ---- which event tables belong to a root -----------------------------------------------------

_EXPLICIT: dict[str, dict[str, str]] = defaultdict(dict)


def register_path(root: str, event_model: str, lookup: str) -> None:
    """Say how `event_model`'s rows reach a `root` object ("app.Model" labels) when the
    discovery below cannot: `lookup` is an ORM path to the root's id, e.g. "need__household_id".
    Call it from an AppConfig.ready()."""
    _EXPLICIT[root.lower()][event_model.lower()] = lookup
    _SOURCES.pop(root.lower(), None)


@dataclass(frozen=True)
class Source:
    model: type[models.Model]  # the event model
    lookup: str  # ORM path from an event row to the root's primary key

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_SOURCES: dict[str, list[Source]] = {}


def event_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if issubclass(m, pghistory.models.Event) and getattr(m, "pgh_tracked_model", None)
    ]


def _lookup_for(event: type[models.Model], root: type[models.Model]) -> str | None:
    tracked_model = event.pgh_tracked_model._meta.concrete_model
    if tracked_model is root:
        return "pgh_obj_id"
    fks = [
        f
        for f in event._meta.concrete_fields
        if f.is_relation and f.many_to_one and not f.name.startswith("pgh_")
    ]
    for f in fks:
        if f.related_model is root:
            return f.attname
    # One hop: a referral reaches its household through its need.
    for f in fks:
        for g in f.related_model._meta.concrete_fields:
            if g.is_relation and g.many_to_one and g.related_model is root:
                return f"{f.name}__{g.attname}"
    return None


def sources(root: type[models.Model]) -> list[Source]:
    """The event tables holding a root's history, in a fixed order (by label)."""
    key = root._meta.label_lower
    if key not in _SOURCES:
        explicit = _EXPLICIT.get(key, {})
        found = []
        for event in event_models():
            lookup = explicit.get(event._meta.label_lower) or _lookup_for(event, root)
            if lookup:
                found.append(Source(event, lookup))
        _SOURCES[key] = sorted(found, key=lambda s: s.label)
    return _SOURCES[key]


# ---- one page of a timeline ------------------------------------------------------------------


@dataclass
class Change:
    label: str
    old: str
    new: str
    secret: bool = False


@dataclass
class Entry:
    at: dt.datetime
    kind: str  # insert / update / delete (pghistory's labels)
    model: str  # the tracked model's verbose name
    title: str
    who: str
    changes: list[Change] = field(default_factory=list)
    source: str = ""
    pgh_id: int = 0

    @property
    def verb(self) -> str:
        return {"insert": _("新建"), "update": _("修改"), "delete": _("删除")}.get(
            self.kind, self.kind
        )


@dataclass
class TimelinePage:
    entries: list[Entry]
    next_cursor: str | None


def _encode(entry: Entry) -> str:
    return signing.dumps([entry.at.isoformat(), entry.source, entry.pgh_id], salt=_SALT)


def _decode(cursor: str | None) -> tuple[dt.datetime, str, int] | None:
    if not cursor:
        return None
    try:
        at, label, pk = signing.loads(cursor, salt=_SALT)
        return dt.datetime.fromisoformat(at), str(label), int(pk)
    except (signing.BadSignature, TypeError, ValueError):
        return None


def _after(source: Source, cursor: tuple[dt.datetime, str, int] | None) -> Q:
    """Rows after the cursor in the order (time desc, source label asc, pgh_id desc)."""
    if cursor is None:
        return Q()
    at, label, pk = cursor
    if source.label < label:
        return Q(pgh_created_at__lt=at)
    if source.label > label:
        return Q(pgh_created_at__lte=at)
    return Q(pgh_created_at__lt=at) | Q(pgh_created_at=at, pgh_id__lt=pk)


def _rows(source: Source, root_pk: Any, cursor: Any, size: int) -> list[models.Model]:
    model = source.model
    previous = (
        model.objects.filter(pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id"))
        .order_by("-pgh_id")
        .values("pgh_id")[:1]
    )
    return list(
        model.objects.filter(_after(source, cursor), **{source.lookup: root_pk})
        .select_related("pgh_context")
        .annotate(_previous_id=Subquery(previous))
        .order_by("-pgh_created_at", "-pgh_id")[: size + 1]
    )


def timeline(
    *,
    root: models.Model,
    after: str | None = None,
    size: int = PAGE_SIZE,
    mask_phones: bool = False,
) -> TimelinePage:
    """One page of the history of `root` and of what belongs to it, newest first; phone
    numbers masked (old and new) when `mask_phones` (core.masking.masks_phones).

    Costs a fixed number of queries whatever the number of events: per event table one for
    the page and one for the snapshots before its updates, then one for the people named.
    """
    cursor = _decode(after)
    picked: list[tuple[Source, models.Model]] = []
    for source in sources(type(root)._meta.concrete_model):
        picked += [(source, row) for row in _rows(source, root.pk, cursor, size)]
    picked.sort(key=lambda p: (-p[1].pgh_created_at.timestamp(), p[0].label, -p[1].pgh_id))
    has_more = len(picked) > size
    picked = picked[:size]
    entries = _render(picked, mask_phones=mask_phones)
    return TimelinePage(entries, _encode(entries[-1]) if has_more and entries else None)


# ---- rendering rows as entries -------------------------------------------------------------


@functools.cache
def _shown_fields(event: type[models.Model]) -> list[models.Field]:
    tracked_fields = {f.name: f for f in event.pgh_tracked_model._meta.concrete_fields}
    shown = []
    for f in event._meta.concrete_fields:
        if f.name.startswith("pgh_") or f.name in _HIDDEN_FIELDS or f.name not in tracked_fields:
            continue
        original = tracked_fields[f.name]
        # Only fields with a label of their own are what a person reads as "the record".
        if str(original.verbose_name) == f.name.replace("_", " "):
            continue
        shown.append(original)
    return shown


def _previous_rows(picked: list[tuple[Source, models.Model]]) -> dict[tuple[str, int], Any]:
    wanted: dict[Source, list[int]] = defaultdict(list)
    for source, row in picked:
        if row.pgh_label == "update" and row._previous_id:
            wanted[source].append(row._previous_id)
    found = {}
    for source, ids in wanted.items():
        for row in source.model.objects.filter(pgh_id__in=ids):
            found[(source.label, row.pgh_id)] = row
    return found


def _related_names(picked: list[tuple[Source, Any]], previous: dict) -> dict[tuple[Any, Any], str]:
    """Names of the objects foreign keys point at (an area, a worker, a category): one query
    per related model for the whole page."""
    ids: dict[type[models.Model], set[Any]] = defaultdict(set)
    for source, row in picked:
        rows = [row, previous.get((source.label, row._previous_id))]
        for f in _shown_fields(source.model):
            if f.is_relation:
                for r in rows:
                    if r is not None and getattr(r, f.attname) is not None:
                        ids[f.related_model].add(getattr(r, f.attname))
    names = {}
    for model, pks in ids.items():
        for pk, obj in model._default_manager.in_bulk(list(pks)).items():
            names[(model, pk)] = str(obj)
    return names


def _users(picked: list[tuple[Source, Any]]) -> dict[Any, str]:
    from django.contrib.auth import get_user_model

    pks = set()
    for _source, row in picked:
        user = _context_user(row)
        if user is not None:
            pks.add(user)
    model = get_user_model()
    return {pk: str(u) for pk, u in model._default_manager.in_bulk(list(pks)).items()}


def _context_user(row: Any) -> Any:
    context = row.pgh_context
    if context is None or not isinstance(context.metadata, dict):
        return None
    user = context.metadata.get("user")
    return user if isinstance(user, int) else None


def _display(f: models.Field, value: Any, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return names.get((f.related_model, value), f"#{value}")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return str(value)


def _is_secret(f: models.Field) -> bool:
    return any(mark in f.name for mark in _SECRET_MARKS)


def _changes(
    fields: list[models.Field], row: Any, before: Any, names: dict, *, mask_phones: bool = False
) -> list[Change]:
    changes = []
    for f in fields:
        new = getattr(row, f.attname)
        old = getattr(before, f.attname) if before is not None else None
        if before is not None and old == new:
            continue
        if before is None and row.pgh_label != "insert":
            continue
        if row.pgh_label == "insert" and (new is None or new == ""):
            continue
        label = str(f.verbose_name)
        if _is_secret(f) and row.pgh_label == "insert":
            continue
        if _is_secret(f):
            changes.append(Change(label, "", _("已变更"), secret=True))
        elif mask_phones and "phone" in f.name:
            old_text = (mask_phone(old) or "—") if before is not None else ""
            changes.append(Change(label, old_text, mask_phone(new) or "—"))
        else:
            old_text = _display(f, old, names) if before is not None else ""
            changes.append(Change(label, old_text, _display(f, new, names)))
    return changes


def _title(fields: list[models.Field], row: Any, names: dict) -> str:
    by_name = {f.name: f for f in fields}
    for name in _TITLE_FIELDS:
        f = by_name.get(name)
        if f is not None and not _is_secret(f):
            return _display(f, getattr(row, f.attname), names)
    return ""


def _render(picked: list[tuple[Source, Any]], *, mask_phones: bool = False) -> list[Entry]:
    previous = _previous_rows(picked)
    names = _related_names(picked, previous)
    users = _users(picked)
    entries = []
    for source, row in picked:
        fields = _shown_fields(source.model)
        before = previous.get((source.label, row._previous_id))
        user = _context_user(row)
        who = users.get(user, _("系统")) if user is not None else _("系统")
        entries.append(
            Entry(
                at=row.pgh_created_at,
                kind=row.pgh_label,
                model=str(source.model.pgh_tracked_model._meta.verbose_name),
                title=_title(fields, row, names),
                who=who,
                changes=(
                    _changes(fields, row, before, names, mask_phones=mask_phones)
                    if row.pgh_label != "delete"
                    else []
                ),
                source=source.label,
                pgh_id=row.pgh_id,
            )
        )
    return entries


def give_connection_its_own_system_context(*, sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created receiver: writes outside a request get a context of this connection.

    pghistory attaches each history row to its context with an upsert on the context row, and
    an upsert locks that row until commit even when it changes nothing. With one shared
    "system" context (config/services.py's default), every job, command and import writing at
    the same time queued on that one row, and could deadlock against row locks they held
    (seen: the nightly job beside approvals). A context id per connection keeps the metadata
    ("source": "system") and lets them run side by side; a request still sets its own.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pghistory.context_id', %s, false)", [str(uuid.uuid4())])
