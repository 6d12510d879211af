"""Reads of case work. Every one starts from a `*_qs_visible_to(actor=…)` scoping root.

Visits, follow-ups and alerts are scoped through their household's area code, with the
same rule as the registry (access.scope); service activities through their own area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import F, Window
from django.db.models.functions import RowNumber, Substr
from django.http import Http404
from django.utils import timezone

from access.capabilities import Can, can
from access.scope import scoped, within
from cases.filters import FollowUpFilter, ServiceActivityFilter, VisitFilter
from cases.labels import label_timeline
from cases.models import FollowUp, HardshipAlert, ServiceActivity, TierRule, Visit, VisitPhoto
from cases.predicates import CATALOGUE
from cases.schedule import RuleRow, load_rules
from cases.tier_preview import TierMoves, tier_moves
from core.selectors import filtered as _filtered
from core.selectors import get_by_uuid as _get
from households.models import Area, Household, Member, User
from households.selectors import household_get

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser | None

WORKLIST_ROWS = 100  # per section; the counts above each section are exact
# What a worklist row shows: no identity-number cipher or notes travel for it. Nor the
# area's name, which the row does not print, nor (for a social worker's own list) the
# assignee, who is the reader: two joins and two model instances a row less.
_WORKLIST_COLUMNS = [
    "uuid",
    "due",
    "tier",
    "status",
    "household__uuid",
    "household__address",
    "household__area_code",
    "household__head__name",
]
_ASSIGNEE_COLUMNS = ["assignee__username", "assignee__display_name"]


# ---- visits ----------------------------------------------------------------------------


def visit_qs_visible_to(*, actor: Actor) -> QuerySet[Visit]:
    """Visits of the households the actor sees."""
    if not can(actor, Can.VIEW_CASES):
        return Visit.objects.none()
    return scoped(
        Visit.objects.all(), actor=actor, field="household__area_code", lent="household_id"
    )


def visit_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Visit]:
    qs = visit_qs_visible_to(actor=actor).select_related("household", "worker")
    return _filtered(VisitFilter, qs, filters, actor).order_by("-id")


def visit_get(*, actor: Actor, visit_id: UUID | str) -> Visit:
    qs = visit_qs_visible_to(actor=actor).select_related(
        "household__head", "household__area", "worker"
    )
    return _get(qs, visit_id)


def household_get_for_visit(*, actor: Actor, household_id: UUID | str) -> Household:
    """A household the actor may log a visit to: 404 when invisible, 403 when read-only."""
    household = household_get(actor=actor, household_id=household_id)
    if not can(actor, Can.LOG_VISIT):
        raise PermissionDenied
    return household


def household_active_members(*, household: Household) -> list[Member]:
    """The members a visit may find changed: those living in the household, oldest first."""
    return list(household.members.filter(status=Member.Status.ACTIVE).order_by("created_at"))


# What the household page's timeline shows of a visit: not its findings, nor the whole
# worker row (a user is 20-odd columns; the page prints their name).
_TIMELINE_COLUMNS = [
    "uuid",
    "visited_at",
    "method",
    "changes_summary",
    "needs_noted",
    "worker__username",
    "worker__display_name",
]


def household_visits(*, household: Household, limit: int = 30) -> list[Visit]:
    """The household's timeline, newest first, with the columns the page shows."""
    return list(
        Visit.objects.filter(household=household)
        .select_related("worker")
        .only(*_TIMELINE_COLUMNS)
        .order_by("-visited_at", "-id")[:limit]
    )


# ---- follow-ups ------------------------------------------------------------------------


def followup_qs_visible_to(*, actor: Actor) -> QuerySet[FollowUp]:
    """Follow-ups of the households the actor sees."""
    if not can(actor, Can.VIEW_CASES):
        return FollowUp.objects.none()
    return scoped(
        FollowUp.objects.all(), actor=actor, field="household__area_code", lent="household_id"
    )


def followup_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[FollowUp]:
    qs = followup_qs_visible_to(actor=actor).select_related(
        "household", "assignee", "rule", "visit"
    )
    return _filtered(FollowUpFilter, qs, filters, actor).order_by("-id")


def followup_get(*, actor: Actor, followup_id: UUID | str) -> FollowUp:
    qs = followup_qs_visible_to(actor=actor).select_related(
        "household", "assignee", "rule", "visit"
    )
    return _get(qs, followup_id)


def followup_get_for_reassign(*, actor: Actor, followup_id: UUID | str) -> FollowUp:
    """A visible follow-up the actor may reassign: 404 when invisible, 403 otherwise."""
    followup = followup_get(actor=actor, followup_id=followup_id)
    if not can(actor, Can.REASSIGN):
        raise PermissionDenied
    return followup


def household_open_followup(*, household: Household) -> FollowUp | None:
    """The household's open follow-up (at most one), with what pages and messages show of it."""
    return (
        FollowUp.objects.filter(household=household, status=FollowUp.Status.OPEN)
        .select_related("assignee", "rule")
        .only(
            "uuid",
            "household_id",
            "due",
            "tier",
            "status",
            "assignee__username",
            "assignee__display_name",
            "rule__name",
        )
        .first()
    )


def workers_qs_visible_to(*, actor: Actor) -> QuerySet[User]:
    """Social workers bound at community level or below inside the actor's area."""
    if not can(actor, Can.VIEW_CASES):
        return User.objects.none()
    qs = User.objects.filter(role=User.Role.SOCIAL_WORKER, is_active=True, area__isnull=False)
    qs = scoped(qs, actor=actor, field="area__prefix")
    return qs.filter(area__level__in=[Area.Level.COMMUNITY, Area.Level.GRID]).select_related("area")


def assignable_workers(*, actor: Actor, household: Household) -> list[User]:
    """Workers of the household's street in the actor's scope, its own community's first."""
    workers = list(workers_qs_visible_to(actor=actor).order_by("display_name", "id"))
    return candidates_for(household.area_code, workers)


# ---- the worklist ----------------------------------------------------------------------


@dataclass
class Worklist:
    today: dt.date
    overdue: list[FollowUp] = field(default_factory=list)
    due_today: list[FollowUp] = field(default_factory=list)
    this_week: list[FollowUp] = field(default_factory=list)
    counts: dict[int, int] = field(default_factory=dict)
    mine_only: bool = True

    @property
    def sections(self) -> list[tuple[str, int, list[FollowUp]]]:
        return [
            ("overdue", self.counts.get(0, 0), self.overdue),
            ("today", self.counts.get(1, 0), self.due_today),
            ("week", self.counts.get(2, 0), self.this_week),
        ]


def worklist(*, actor: Actor, today: dt.date, limit: int = WORKLIST_ROWS) -> Worklist:
    """Open follow-ups overdue, due today and due in the next 7 days, by tier then date.

    A social worker sees the ones assigned to them; other roles everything in scope.
    One query whatever the size: the rows, with their sections' totals (by a window) and
    their households' last contacts (by visit_household_latest), which took a second
    query and ~1 ms more of the worker's CPU per page when read apart.
    """
    if not can(actor, Can.VIEW_CASES):
        raise PermissionDenied
    mine_only = actor.role == User.Role.SOCIAL_WORKER
    qs = followup_qs_visible_to(actor=actor).filter(
        status=FollowUp.Status.OPEN, due__lte=today + dt.timedelta(days=7)
    )
    if mine_only:
        qs = qs.filter(assignee=actor)
    bucket = Case(
        When(due__lt=today, then=Value(0)),
        When(due=today, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = list(
        qs.annotate(
            bucket=bucket,
            position=Window(
                RowNumber(), partition_by=[bucket], order_by=[F("tier"), F("due"), F("id")]
            ),
            bucket_total=Window(Count("id"), partition_by=[bucket]),
            last_contact=Subquery(
                Visit.objects.filter(household_id=OuterRef("household_id"))
                .order_by("-visited_at")
                .values("visited_at")[:1]
            ),
        )
        .filter(position__lte=limit)
        .select_related("household__head", *([] if mine_only else ["assignee"]))
        .only(*_WORKLIST_COLUMNS, *([] if mine_only else _ASSIGNEE_COLUMNS))
        .order_by("bucket", "tier", "due", "id")
    )
    result = Worklist(today=today, mine_only=mine_only)
    for row in rows:
        if mine_only:
            row.assignee = actor
        row.days_overdue = (today - row.due).days
        result.counts[row.bucket] = row.bucket_total
        [result.overdue, result.due_today, result.this_week][row.bucket].append(row)
    return result


# ---- the overdue overview (street staff) ----------------------------------------------


@dataclass
class OverdueGroup:
    code: str
    name: str
    total: int = 0
    oldest: dt.date | None = None
    workers: list[dict[str, Any]] = field(default_factory=list)


def overdue_by_community_and_worker(*, actor: Actor, today: dt.date) -> list[OverdueGroup]:
    """Overdue follow-ups counted by community and, inside each, by assignee: one GROUP BY,
    plus one query each for the communities' and workers' names."""
    if not can(actor, Can.VIEW_CASELOAD):
        raise PermissionDenied
    rows = list(
        followup_qs_visible_to(actor=actor)
        .filter(status=FollowUp.Status.OPEN, due__lt=today)
        .annotate(community=Substr("household__area_code", 1, 12))
        .values("community", "assignee_id")
        .annotate(n=Count("id"), oldest=Min("due"))
        .order_by("community", "assignee_id")
    )
    names = dict(
        Area.objects.filter(prefix__in={r["community"] for r in rows}).values_list("prefix", "name")
    )
    people = {
        u.pk: u
        for u in User.objects.filter(pk__in={r["assignee_id"] for r in rows if r["assignee_id"]})
    }
    groups: dict[str, OverdueGroup] = {}
    for r in rows:
        group = groups.setdefault(
            r["community"], OverdueGroup(code=r["community"], name=names.get(r["community"], ""))
        )
        group.total += r["n"]
        group.oldest = min(filter(None, [group.oldest, r["oldest"]]))
        group.workers.append(
            {"assignee": people.get(r["assignee_id"]), "count": r["n"], "oldest": r["oldest"]}
        )
    return list(groups.values())


# What the overdue working list keeps of the ledger's filters (cases.filters.FollowUpFilter),
# so a drill-down from a dashboard or the ledger lands on the same rows.
OVERDUE_FILTERS = ("area", "assignee", "tier")


@dataclass
class OverdueRows:
    rows: list[FollowUp]
    total: int
    filters: dict[str, str]

    def __iter__(self) -> Iterator[FollowUp]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def overdue_followups(
    *,
    actor: Actor,
    today: dt.date,
    filters: dict[str, str] | None = None,
    community: str = "",
    assignee: str = "",
    limit: int = 50,
) -> OverdueRows:
    """The oldest overdue follow-ups and how many there are, narrowed by the follow-up ledger's
    own filters (area code, assignee username or "none", tier) or a community prefix.

    Two queries: the rows with their household, head, area and assignee; and the count.
    """
    if not can(actor, Can.VIEW_CASELOAD):
        raise PermissionDenied
    # .get() per key: a QueryDict unpacked with ** would give lists.
    given = {k: (filters or {}).get(k) for k in OVERDUE_FILTERS}
    if assignee:
        given["assignee"] = assignee
    kept = {k: str(v) for k, v in given.items() if v}
    qs = _filtered(
        FollowUpFilter,
        followup_qs_visible_to(actor=actor).filter(status=FollowUp.Status.OPEN, due__lt=today),
        kept,
        actor,
    )
    if community.isdigit():
        qs = qs.filter(within("household__area_code", community))
    rows = list(
        qs.select_related("household__head", "household__area", "assignee__area")
        .only(*_OVERDUE_COLUMNS)
        .order_by("due", "id")[:limit]
    )
    total = len(rows) if len(rows) < limit else qs.count()
    for row in rows:
        row.days_overdue = (today - row.due).days
    return OverdueRows(rows=rows, total=total, filters=kept)


_OVERDUE_COLUMNS = [
    "uuid",
    "due",
    "tier",
    "assignee_id",
    "household__uuid",
    "household__address",
    "household__area_code",
    "household__area__name",
    "household__head__name",
    "assignee__username",
    "assignee__display_name",
    "assignee__area__name",
]


def followups_get_for_reassign(*, actor: Actor, followup_ids: list[str]) -> list[FollowUp]:
    """Follow-ups the actor may reassign, all of them or none: 404 when any is missing or out
    of scope, 403 when all are visible but the role may not reassign."""
    try:
        wanted = {UUID(str(value)) for value in followup_ids}
    except ValueError:
        raise Http404 from None
    found = list(
        followup_qs_visible_to(actor=actor)
        .filter(uuid__in=wanted)
        .select_related("household__head")
        .order_by("id")
    )
    if not wanted or len(found) != len(wanted):
        raise Http404
    if not can(actor, Can.REASSIGN):
        raise PermissionDenied
    return found


def street_workers(*, actor: Actor) -> list[User]:
    """The social workers a follow-up in the actor's scope may go to, by street then name:
    every worker of the actor's area (a street's, for street staff)."""
    return list(
        workers_qs_visible_to(actor=actor)
        .select_related("area__parent")
        .order_by("area__code", "display_name", "id")
    )


def candidates_for(household_area_code: str, workers: list[User]) -> list[User]:
    """The workers of the household's street, those of its own community first."""
    street = household_area_code[:9]
    same = [w for w in workers if w.area.prefix[:9] == street]
    own = [w for w in same if household_area_code.startswith(w.area.prefix)]
    return own + [w for w in same if w not in own]


# ---- hardship alerts -------------------------------------------------------------------


def hardship_alert_qs_visible_to(*, actor: Actor) -> QuerySet[HardshipAlert]:
    if not can(actor, Can.VIEW_CASES):
        return HardshipAlert.objects.none()
    return scoped(
        HardshipAlert.objects.all(), actor=actor, field="household__area_code", lent="household_id"
    )


def hardship_alert_get_for_edit(*, actor: Actor, alert_id: UUID | str) -> HardshipAlert:
    alert = _get(hardship_alert_qs_visible_to(actor=actor).select_related("household"), alert_id)
    if not can(actor, Can.LOG_VISIT):
        raise PermissionDenied
    return alert


def household_open_alerts(*, household: Household) -> list[HardshipAlert]:
    """Unresolved alerts, newest first: what the household page and the visit form show."""
    return list(
        HardshipAlert.objects.filter(household=household, resolved_at__isnull=True)
        .only("uuid", "household_id", "kind", "occurred_on", "note")
        .order_by("-created_at")
    )


# ---- the household page ----------------------------------------------------------------


def household_case_panel(*, actor: Actor, household: Household) -> dict[str, Any]:
    """What the household page shows of case work: four small queries."""
    return {
        "visits": label_timeline(household_visits(household=household)),
        "open_followup": household_open_followup(household=household),
        "open_alerts": household_open_alerts(household=household),
        "can_log_visit": can(actor, Can.LOG_VISIT),
        "today": timezone.localdate(),
    }


# ---- tier rules ------------------------------------------------------------------------


def tier_rule_list(*, actor: Actor) -> QuerySet[TierRule]:
    """Every rule, for the district admin (rules are district-wide, not scoped by area)."""
    if not can(actor, Can.MANAGE_TIER_RULES):
        raise PermissionDenied
    return TierRule.objects.order_by("tier", "priority", "id")


def tier_rule_get(*, actor: Actor, rule_id: UUID | str) -> TierRule:
    return _get(tier_rule_list(actor=actor), rule_id)


def tier_rule_preview(
    *, actor: Actor, code: str, data: dict[str, Any], rule: TierRule | None = None
) -> TierMoves:
    """How many households in the actor's scope the rule as edited (`data`: tier, priority,
    params, active) would move between tiers, on today's data; nothing is saved.

    The active rules are taken as they are now, with `rule` replaced (or the new rule added).
    """
    tier_rule_list(actor=actor)  # 403 for anyone but a district admin
    current = load_rules()
    predicate = CATALOGUE[code]
    proposed = [r for r in current if rule is None or r.id != rule.pk]
    if data.get("active", True):
        edited = RuleRow(
            id=rule.pk if rule is not None else -1,
            code=code,
            name=data["name"],
            tier=data["tier"],
            interval_months=data["interval_months"],
            priority=data["priority"],
            params=predicate.clean(data.get("params") or {}),
        )
        proposed.append(edited)
        proposed.sort(key=lambda r: (r.tier, r.priority, r.id))
    return tier_moves(
        current=current,
        proposed=proposed,
        today=timezone.localdate(),
        prefix=actor.area.prefix,
    )


# ---- service statistics ----------------------------------------------------------------


def service_activity_qs_visible_to(*, actor: Actor) -> QuerySet[ServiceActivity]:
    if not can(actor, Can.VIEW_CASES):
        return ServiceActivity.objects.none()
    return scoped(ServiceActivity.objects.all(), actor=actor, field="area_code")


def service_activity_list(
    *, actor: Actor, filters: dict[str, Any] | None = None
) -> QuerySet[ServiceActivity]:
    qs = service_activity_qs_visible_to(actor=actor).select_related("area", "worker")
    return _filtered(ServiceActivityFilter, qs, filters, actor).order_by("-date", "-id")


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def service_monthly_summary(
    *, actor: Actor, month: dt.date, mine_only: bool = False
) -> dict[str, Any]:
    """One month's service statistics: 个案, 小组 (sessions, attendees), 社区活动, person-times,
    and visits. Two GROUP BY queries."""
    first, last = month_bounds(month)
    activities = service_activity_qs_visible_to(actor=actor).filter(date__range=(first, last))
    visits = visit_qs_visible_to(actor=actor).filter(visit_date__range=(first, last))
    if mine_only:
        activities = activities.filter(worker=actor)
        visits = visits.filter(worker=actor)
    by_kind = {
        row["kind"]: row
        for row in activities.values("kind").annotate(
            count=Count("id"),
            sessions=Sum("sessions"),
            attendees=Sum("attendees"),
            person_times=Sum("person_times"),
        )
    }
    visit_counts = visits.aggregate(
        visits=Count("id"),
        households=Count("household_id", distinct=True),
        home=Count("id", filter=Q(method=Visit.Method.HOME)),
    )
    empty = {"count": 0, "sessions": 0, "attendees": 0, "person_times": 0}
    kinds = {kind: by_kind.get(kind, empty) for kind in ServiceActivity.Kind.values}
    return {
        "first": first,
        "last": last,
        "kinds": kinds,
        "person_times": sum(k["person_times"] or 0 for k in kinds.values()),
        **visit_counts,
    }


def area_choices_for_activities(*, actor: Actor) -> QuerySet[Area]:
    return (
        scoped(Area.objects.all(), actor=actor, field="prefix")
        .filter(level__in=[Area.Level.COMMUNITY, Area.Level.GRID])
        .select_related("parent")
        .order_by("code")
    )


def visit_photo_get(*, actor: Actor, photo_id: UUID | str) -> VisitPhoto:
    """A photo of a visit the actor may see (its household in scope); 404 otherwise."""
    if not can(actor, Can.VIEW_CASES):
        return _get(VisitPhoto.objects.none(), photo_id)
    qs = scoped(VisitPhoto.objects.all(), actor=actor, field="household__area_code")
    return _get(qs, photo_id)


def visit_photos(*, visit: Visit) -> list[VisitPhoto]:
    return list(visit.photos.order_by("id"))
