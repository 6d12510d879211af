"""Reads of the registry. Every one starts from a `*_qs_visible_to(actor=…)` scoping root."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.http import Http404

from access.capabilities import Can, can
from access.scope import scope_prefix, scoped
from core.history import TimelinePage, timeline
from core.masking import masks_phones
from core.selectors import filtered as _filtered
from core.selectors import get_by_uuid as _get
from households.filters import (
    AreaFilter,
    EnrolmentFilter,
    HouseholdFilter,
    MemberFilter,
    PendingFilter,
)
from households.models import Area, Category, Enrolment, Household, Member, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser | None


# ---- areas -----------------------------------------------------------------------------


def area_qs_visible_to(*, actor: Actor) -> QuerySet[Area]:
    """Areas at or below the actor's own area."""
    return scoped(Area.objects.all(), actor=actor, field="prefix")


def area_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Area]:
    qs = area_qs_visible_to(actor=actor).select_related("parent").order_by("code")
    return _filtered(AreaFilter, qs, filters)


def area_get(*, actor: Actor, code: str) -> Area:
    try:
        return area_qs_visible_to(actor=actor).select_related("parent").get(code=code)
    except Area.DoesNotExist:
        raise Http404 from None


_LEVELS = ["district", "street", "community", "grid"]


def area_filter_choices(*, actor: Actor) -> QuerySet[Area]:
    """The actor's area and the two levels below it: what a list's area filter offers.

    A district's ~400 grids would make the drop-down (and the page) slow to no one's benefit.
    """
    own = scope_prefix(actor)
    if own is None:
        return Area.objects.none()
    depth = _LEVELS.index(actor.area.level)
    return area_list(actor=actor).filter(level__in=_LEVELS[depth : depth + 3])


def area_choices_for_households(*, actor: Actor) -> QuerySet[Area]:
    """Communities and grids a household of the actor's scope may be registered in."""
    return (
        area_qs_visible_to(actor=actor)
        .filter(level__in=[Area.Level.COMMUNITY, Area.Level.GRID])
        .select_related("parent")
        .order_by("code")
    )


# ---- households ------------------------------------------------------------------------


def household_qs_visible_to(*, actor: Actor) -> QuerySet[Household]:
    """Households whose area lies inside the actor's area, for roles that read the registry.

    Providers read no households here (they see referral details through matching/).
    """
    if not can(actor, Can.VIEW_REGISTRY):
        return Household.objects.none()
    return scoped(Household.objects.all(), actor=actor, field="area_code", lent="pk")


def household_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Household]:
    qs = household_qs_visible_to(actor=actor).select_related("area", "head", "worker")
    return _filtered(HouseholdFilter, qs, filters).order_by("-id")


def household_get(*, actor: Actor, household_id: UUID | str) -> Household:
    """A visible household, or 404 whether it is missing or out of scope."""
    qs = household_qs_visible_to(actor=actor).select_related("area__parent", "head", "worker")
    return _get(qs, household_id)


def household_get_for_edit(*, actor: Actor, household_id: UUID | str) -> Household:
    """A visible household the actor may change: 404 when invisible, 403 when read-only."""
    household = household_get(actor=actor, household_id=household_id)
    if not can(actor, Can.EDIT_REGISTRY):
        raise PermissionDenied
    return household


def household_detail_members(*, household: Household) -> QuerySet[Member]:
    return household.members.order_by("status", "created_at")


# ---- members ---------------------------------------------------------------------------


def member_qs_visible_to(*, actor: Actor) -> QuerySet[Member]:
    if not can(actor, Can.VIEW_REGISTRY):
        return Member.objects.none()
    return scoped(Member.objects.all(), actor=actor, field="household__area_code")


def member_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Member]:
    qs = member_qs_visible_to(actor=actor).select_related("household")
    return _filtered(MemberFilter, qs, filters).order_by("-id")


def member_get(*, actor: Actor, member_id: UUID | str) -> Member:
    return _get(member_qs_visible_to(actor=actor).select_related("household"), member_id)


def member_get_for_edit(*, actor: Actor, member_id: UUID | str) -> Member:
    member = member_get(actor=actor, member_id=member_id)
    if not can(actor, Can.EDIT_REGISTRY):
        raise PermissionDenied
    return member


def member_active_with_id_hash(*, digest: str) -> Member | None:
    """The active member holding a number, anywhere: only for the uniqueness check.

    Callers must not show an out-of-scope result to the user; see member services.
    """
    return (
        Member.objects.filter(id_number_hash=digest, status=Member.Status.ACTIVE)
        .select_related("household")
        .first()
    )


# ---- enrolments ------------------------------------------------------------------------


def category_list() -> QuerySet[Category]:
    """The five categories in display order: reference data, the same for everyone."""
    return Category.objects.order_by("sort_order")


def enrolment_qs_visible_to(*, actor: Actor) -> QuerySet[Enrolment]:
    if not can(actor, Can.VIEW_REGISTRY):
        return Enrolment.objects.none()
    return scoped(Enrolment.objects.all(), actor=actor, field="household__area_code")


def enrolment_list(*, actor: Actor, filters: dict[str, Any] | None = None) -> QuerySet[Enrolment]:
    qs = (
        enrolment_qs_visible_to(actor=actor)
        .select_related("household", "member", "category", "applied_by", "decided_by")
        .prefetch_related(Prefetch("members", queryset=Member.objects.only("id", "uuid", "name")))
    )
    return _filtered(EnrolmentFilter, qs, filters).order_by("-id")


def enrolment_get(*, actor: Actor, enrolment_id: UUID | str) -> Enrolment:
    qs = enrolment_qs_visible_to(actor=actor).select_related(
        "household", "member", "category", "applied_by", "decided_by"
    )
    return _get(qs, enrolment_id)


def enrolment_get_for_edit(*, actor: Actor, enrolment_id: UUID | str) -> Enrolment:
    """A visible enrolment the actor may amend: 404 when invisible, 403 when read-only."""
    enrolment = enrolment_get(actor=actor, enrolment_id=enrolment_id)
    if not can(actor, Can.APPLY_ENROLMENT):
        raise PermissionDenied
    return enrolment


def enrolment_get_for_decision(*, actor: Actor, enrolment_id: UUID | str) -> Enrolment:
    enrolment = enrolment_get(actor=actor, enrolment_id=enrolment_id)
    if not can(actor, Can.DECIDE_ENROLMENT):
        raise PermissionDenied
    return enrolment


def enrolments_pending(*, actor: Actor) -> QuerySet[Enrolment]:
    return enrolment_list(actor=actor).filter(status=Enrolment.Status.APPLIED).order_by("id")


# What an approval card shows of an application and its household: nothing else travels.
_PENDING_COLUMNS = [
    "uuid",
    "created_at",
    "monthly_amount",
    "start_date",
    "end_date",
    "reason",
    "category__name",
    "household__uuid",
    "household__address",
    "household__area__name",
    "household__area__level",
    "household__area__parent__name",
    "household__head__name",
    "applied_by__username",
    "applied_by__display_name",
]


def enrolment_pending_list(
    *, actor: Actor, filters: dict[str, Any] | None = None
) -> QuerySet[Enrolment]:
    """Applications awaiting a decision in scope, each with what a decision needs, read in one
    query a page: the covered members' names, and the household's active members and their
    total monthly income (for the per-capita income), as subqueries on the row.
    """
    qs = enrolment_qs_visible_to(actor=actor).filter(status=Enrolment.Status.APPLIED)
    qs = _filtered(PendingFilter, qs, filters)
    covered = Enrolment.members.through.objects.filter(enrolment_id=OuterRef("pk"))
    active = Member.objects.filter(household_id=OuterRef("household_id"), status="active")
    return (
        qs.select_related("category", "household__area__parent", "household__head", "applied_by")
        .only(*_PENDING_COLUMNS)
        .annotate(
            # In the order the members were registered (the link rows' order follows a set).
            covered_names=ArraySubquery(covered.order_by("member_id").values("member__name")),
            household_size=_aggregate(active, Count("id")),
            household_income=_aggregate(active, Sum("monthly_income")),
        )
    )


def per_capita(income: Decimal | None, size: int | None) -> Decimal | None:
    """Monthly income per active member, to the fen; None for a household with nobody in it."""
    if not size:
        return None
    return ((income or Decimal(0)) / size).quantize(Decimal("0.01"), ROUND_HALF_UP)


def household_income(*, household: Household) -> tuple[int, Decimal, Decimal | None]:
    """The household's active members, their total monthly income and its per-capita share:
    the same figures the approvals page reads for each application."""
    totals = Member.objects.filter(household_id=household.pk, status="active").aggregate(
        size=Count("id"), income=Sum("monthly_income")
    )
    size, income = totals["size"] or 0, totals["income"] or Decimal(0)
    return size, income, per_capita(income, size)


def _aggregate(qs: QuerySet, expression: Any) -> Subquery:
    return Subquery(
        qs.order_by().values("household_id").annotate(value=expression).values("value")[:1]
    )


def pending_filter_areas(*, actor: Actor) -> list[Area]:
    """The streets and communities in scope that the approvals page filters by: one query."""
    return list(
        area_qs_visible_to(actor=actor)
        .filter(level__in=[Area.Level.STREET, Area.Level.COMMUNITY])
        .only("code", "prefix", "name", "level")
        .order_by("code")
    )


def enrolments_get_for_decision(*, actor: Actor, enrolment_ids: list[str]) -> list[Enrolment]:
    """Applications the actor may decide, all of them or none: 404 when any is missing or out
    of scope (nothing is decided then), 403 when all are visible but the role may not decide.
    """
    try:
        wanted = {UUID(str(value)) for value in enrolment_ids}
    except ValueError:
        raise Http404 from None
    found = list(
        enrolment_qs_visible_to(actor=actor)
        .filter(uuid__in=wanted)
        .select_related("household__head", "category")
        .order_by("household_id", "id")
    )
    if not wanted or len(found) != len(wanted):
        raise Http404
    if not can(actor, Can.DECIDE_ENROLMENT):
        raise PermissionDenied
    return found


def household_enrolments(*, household: Household) -> QuerySet[Enrolment]:
    return (
        household.enrolments.select_related("category", "member", "applied_by", "decided_by")
        .prefetch_related(Prefetch("members", queryset=Member.objects.only("id", "uuid", "name")))
        .order_by("-start_date", "-id")
    )


def household_page_enrolments(*, household: Household, members: list[Member]) -> list[Enrolment]:
    """The household page's enrolments, newest first, each with `covered`: the members it
    covers, in the order they were added.

    The covered members are taken from `members` (the page's list of the household's
    members) by id, read with the enrolments in one query, instead of a prefetch query and
    its model instances; a member not in `members` is read on its own.
    """
    through = Enrolment.members.through
    member_ids = ArraySubquery(
        through.objects.filter(enrolment_id=OuterRef("pk")).order_by("id").values("member_id")
    )
    enrolments = list(
        household.enrolments.select_related("category")
        .only(*_PAGE_ENROLMENT_COLUMNS)
        .annotate(member_ids=member_ids)
        .order_by("-start_date", "-id")
    )
    by_id = {member.pk: member for member in members}
    missing = {i for e in enrolments for i in e.member_ids if i not in by_id}
    if missing:
        by_id.update((m.pk, m) for m in Member.objects.filter(pk__in=missing).only("uuid", "name"))
    for enrolment in enrolments:
        enrolment.covered = [by_id[i] for i in enrolment.member_ids]
    return enrolments


# What templates/households/household_detail.html shows of an enrolment.
_PAGE_ENROLMENT_COLUMNS = [
    "uuid",
    "household_id",
    "status",
    "category__name",
    "start_date",
    "end_date",
    "monthly_amount",
    "review_due",
    "decision_reason",
]


def actor_has_scope(actor: Actor) -> bool:
    return scope_prefix(actor) is not None


# ---- history -----------------------------------------------------------------------------


def household_history(
    *, actor: Actor, household_id: UUID | str, after: str | None = None
) -> tuple[Household, TimelinePage]:
    """A visible household and one page of its timeline: every change to it and to what
    belongs to it (members, enrolments, visits, follow-ups, needs, referrals), newest first.

    Identity numbers never appear, not even masked: a change to one reads "changed".
    """
    household = household_get(actor=actor, household_id=household_id)
    return household, timeline(root=household, after=after, mask_phones=masks_phones(actor))


# ---- lookups by identity number (POST only: a number never goes into a URL) ----------------

ID_SEARCH_CAP = 50


def household_find_by_id_number(*, actor: Actor, number: str) -> QuerySet[Household]:
    """Visible households with a member (any status) holding the number, through its hash."""
    return household_list(actor=actor, filters={"q": number})


def member_find_by_id_number(*, actor: Actor, number: str) -> QuerySet[Member]:
    """Visible members (any status) holding the number, through its hash."""
    return member_list(actor=actor, filters={"q": number})


def access_log_area_code(*, actor: User | None, household_id: int | None, username: str) -> str:
    """Where an access-log entry sits when its object does not say (settings.ACCESS_LOG_AREA_CODE,
    read by core.audit.log_access): the household's area, else the acting user's, else (a
    failed login) the area of the user whose name was tried."""
    if household_id is not None:
        found = Household.objects.filter(pk=household_id).values_list("area_code", flat=True)
        return next(iter(found), "")
    if actor is not None and actor.pk:
        return actor.area.prefix if actor.area_id else ""
    if username:
        found = User.objects.filter(username=username, area__isnull=False)
        return next(iter(found.values_list("area__prefix", flat=True)), "")
    return ""
