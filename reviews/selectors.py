"""Reads of standards and reviews, each from a scoped root (access.scope)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Window
from django.db.models.functions import Left
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from access.scope import scope_prefix, within
from core.selectors import get_by_uuid
from households.models import Area, Enrolment, Household, User
from households.selectors import enrolment_qs_visible_to, household_income
from reviews.models import Standard

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser | None

# A review shows as due this many days before its date.
DUE_WITHIN_DAYS = 30
STATUSES = ("due", "overdue")

# ---- standards -------------------------------------------------------------------------


def standard_qs_visible_to(*, actor: Actor) -> QuerySet[Standard]:
    """The standards of the actor's own district: everyone who reads the registry there."""
    prefix = scope_prefix(actor)
    if prefix is None or not can(actor, Can.VIEW_REGISTRY):
        return Standard.objects.none()
    return Standard.objects.filter(district__prefix=prefix[:6])


def standard_list(*, actor: Actor) -> QuerySet[Standard]:
    return standard_qs_visible_to(actor=actor).select_related("district")


def standard_get(*, actor: Actor, standard_id: UUID | str) -> Standard:
    return get_by_uuid(standard_list(actor=actor), standard_id)


def standard_get_for_edit(*, actor: Actor, standard_id: UUID | str) -> Standard:
    """404 when out of scope, 403 when visible but the actor may not keep standards."""
    standard = standard_get(actor=actor, standard_id=standard_id)
    if not can(actor, Can.EDIT_STANDARDS):
        raise PermissionDenied
    return standard


def standard_in_force(*, area_code: str, day: dt.date) -> Standard | None:
    """The district's standard with the latest effective date on or before `day`."""
    return (
        Standard.objects.filter(district__prefix=area_code[:6], effective_date__lte=day)
        .order_by("-effective_date")
        .first()
    )


@dataclass(frozen=True)
class IncomeLine:
    size: int
    income: Decimal
    per_capita: Decimal | None
    standard: Standard | None

    @property
    def below_dibao(self) -> bool | None:
        if self.per_capita is None or self.standard is None:
            return None
        return self.per_capita < self.standard.dibao


def household_income_line(*, household: Household, day: dt.date) -> IncomeLine:
    """Per-capita monthly income of the active members, against the standard in force."""
    size, income, share = household_income(household=household)
    return IncomeLine(
        size, income, share, standard_in_force(area_code=household.area_code, day=day)
    )


# ---- reviews ---------------------------------------------------------------------------


def _due_rows(qs: QuerySet[Enrolment], today: dt.date) -> QuerySet[Enrolment]:
    return qs.filter(
        status=Enrolment.Status.APPROVED,
        review_due__isnull=False,
        review_due__lte=today + dt.timedelta(days=DUE_WITHIN_DAYS),
    )


def review_due_list(
    *, actor: Actor, today: dt.date, filters: dict[str, Any] | None = None
) -> QuerySet[Enrolment]:
    """Approved enrolments in scope whose review is overdue or due within 30 days, oldest
    date first. Filters: `status` (due / overdue) and `community` (its code)."""
    qs = _due_rows(enrolment_qs_visible_to(actor=actor), today)
    filters = filters or {}
    status = filters.get("status") or ""
    if status not in ("", *STATUSES):
        raise ValidationError({"status": [_("状态只能是 due 或 overdue。")]})
    if status == "overdue":
        qs = qs.filter(review_due__lt=today)
    elif status == "due":
        qs = qs.filter(review_due__gte=today)
    community = filters.get("community") or ""
    if community:
        if not community.isdigit() or len(community) != 12:
            raise ValidationError({"community": [_("请填写 12 位社区代码。")]})
        qs = qs.filter(within("household__area_code", community))
    return (
        qs.select_related("category", "household__head", "household__area__parent", "member")
        .annotate(overdue=ExpressionWrapper(Q(review_due__lt=today), output_field=BooleanField()))
        .order_by("review_due", "id")
    )


def worklist_reviews(*, actor: Actor, today: dt.date, limit: int = 20) -> tuple[int, list]:
    """The worklist's 复核到期 section: a worker's own households (others: all in scope)."""
    qs = _due_rows(enrolment_qs_visible_to(actor=actor), today)
    if getattr(actor, "role", None) == User.Role.SOCIAL_WORKER:
        qs = qs.filter(household__worker=actor)
    rows = list(
        qs.select_related("category", "household__head")
        .annotate(total=_window_count())
        .order_by("review_due", "id")[:limit]
    )
    for row in rows:
        row.days_overdue = (today - row.review_due).days
    return (rows[0].total if rows else 0), rows


def _window_count() -> Any:
    return Window(Count("id"))


@dataclass
class CommunityReviews:
    code: str
    name: str
    overdue: int
    due: int


def reviews_by_community(*, actor: Actor, today: dt.date) -> list[CommunityReviews]:
    """Due and overdue reviews in scope counted by community (a grid counts in its own)."""
    prefix = scope_prefix(actor)
    qs = _due_rows(enrolment_qs_visible_to(actor=actor), today)
    counts = {
        row["code"]: row
        for row in qs.annotate(code=_community_code())
        .values("code")
        .annotate(
            overdue=Count("id", filter=Q(review_due__lt=today)),
            due=Count("id", filter=Q(review_due__gte=today)),
        )
    }
    if prefix is None or not counts:
        return []
    names = dict(
        Area.objects.filter(level=Area.Level.COMMUNITY, code__in=list(counts)).values_list(
            "code", "name"
        )
    )
    return [
        CommunityReviews(code, names.get(code, code), row["overdue"], row["due"])
        for code, row in sorted(counts.items())
    ]


def _community_code() -> Any:
    # Households sit in a community or one of its grids: the community's code is the first
    # 12 characters of the household's area code either way.
    return Left(F("household__area_code"), 12)


def community_choices(*, actor: Actor) -> list[Area]:
    prefix = scope_prefix(actor)
    if prefix is None:
        return []
    return list(
        Area.objects.filter(within("prefix", prefix), level=Area.Level.COMMUNITY).order_by("code")
    )


def enrolment_get_for_review(*, actor: Actor, enrolment_id: UUID | str) -> Enrolment:
    """404 when missing or out of scope, 403 when visible but the actor may not record one."""
    qs = enrolment_qs_visible_to(actor=actor).select_related(
        "category", "household__head", "household__area__parent", "member"
    )
    enrolment = get_by_uuid(qs, enrolment_id)
    if not can(actor, Can.RECORD_REVIEW):
        raise PermissionDenied
    return enrolment


def enrolment_reviews(*, enrolment: Enrolment) -> QuerySet:
    return enrolment.reviews.select_related("reviewer").order_by("-reviewed_on", "-id")


def household_reviewable(*, household: Household) -> list[Enrolment]:
    """The household's approved enrolments that have a review clock (for a visit's page)."""
    return list(
        household.enrolments.filter(status=Enrolment.Status.APPROVED, review_due__isnull=False)
        .select_related("category")
        .order_by("review_due", "id")
    )
