"""Reads of 一门受理. Every scope call of the app is here (households.scope), nowhere else.

Who sees an application: registry readers whose area covers the household, and the users
of the department it is routed to (their portal), wherever the household. The responsibility
list and the calendar days are district-wide: a registry reader sees their own district's.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Subquery
from django.http import Http404

from access.capabilities import Can, can
from access.scope import covers, scope_prefix, scoped, within
from applications import workdays
from applications.models import (
    Application,
    ApplicationDocument,
    CalendarDay,
    Investigation,
    Notice,
    Responsibility,
)
from households.models import Area, Household, Member, User
from resources.models import Provider
from resources.selectors import provider_id_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser | None


def _get(qs: QuerySet, uuid: UUID | str) -> Any:
    try:
        return qs.get(uuid=uuid)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def district_prefix(actor: Actor) -> str | None:
    """The six-digit district code the actor belongs to, or None."""
    prefix = scope_prefix(actor)
    return prefix[:6] if prefix is not None else None


# ---- what a role may do ------------------------------------------------------------------


def is_department_user(actor: Actor, application: Application) -> bool:
    return can(actor, Can.ACT_FOR_PROVIDER) and provider_id_of(actor) == application.department_id


def may_handle(actor: Actor, application: Application) -> bool:
    """Accept, ask for more, decide: the department's own users, or the district admin."""
    return is_department_user(actor, application) or can(actor, Can.DECIDE_ENROLMENT)


# ---- applications --------------------------------------------------------------------------


def application_qs_visible_to(*, actor: Actor) -> QuerySet[Application]:
    """A department's users: the applications routed to it. Registry readers: those of
    households in their area. Anyone else: none."""
    if can(actor, Can.ACT_FOR_PROVIDER):
        provider_id = provider_id_of(actor)
        if provider_id is None:
            return Application.objects.none()
        return Application.objects.filter(department_id=provider_id)
    if not can(actor, Can.VIEW_REGISTRY):
        return Application.objects.none()
    return scoped(Application.objects.all(), actor=actor, field="area_code")


_RELATED = ("household__area__parent", "applicant", "category", "department", "received_by")


def application_list(
    *, actor: Actor, status: str | None = None, open_only: bool = False
) -> QuerySet[Application]:
    qs = application_qs_visible_to(actor=actor).select_related(*_RELATED)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=Application.OPEN)
    return qs.order_by("-id")


def application_get(*, actor: Actor, application_id: UUID | str) -> Application:
    return _get(application_qs_visible_to(actor=actor).select_related(*_RELATED), application_id)


def application_get_for(*, actor: Actor, application_id: UUID | str, may: Any) -> Application:
    """A visible application the actor may act on with `may(actor, application)`:
    404 when invisible, 403 when visible but the act is not theirs."""
    application = application_get(actor=actor, application_id=application_id)
    if not may(actor, application):
        raise PermissionDenied
    return application


def household_applications(*, household: Household) -> QuerySet[Application]:
    return household.applications.select_related("category", "department").order_by("-id")


def application_documents(*, application: Application) -> QuerySet[ApplicationDocument]:
    return application.documents.order_by("id")


def document_get(*, actor: Actor, document_id: UUID | str) -> ApplicationDocument:
    visible = application_qs_visible_to(actor=actor).values("id")
    qs = ApplicationDocument.objects.filter(application_id__in=visible)
    return _get(qs, document_id)


def application_investigations(*, application: Application) -> QuerySet[Investigation]:
    return application.investigations.prefetch_related("investigators").order_by(
        "-visited_on", "-id"
    )


def application_by_reference(*, reference: str) -> Application | None:
    """For the public lookup only: the caller checks the phone before showing anything."""
    return Application.objects.filter(reference=reference.strip().upper()).first()


def portal_applications(*, actor: Actor) -> QuerySet[Application]:
    """A department's open applications, for its portal: empty for anyone else."""
    if not can(actor, Can.ACT_FOR_PROVIDER):
        return Application.objects.none()
    return (
        application_qs_visible_to(actor=actor)
        .filter(status__in=Application.OPEN)
        .select_related("category", "household__area")
        .order_by("due_on", "id")
    )


def household_in_scope(actor: Actor, household: Household) -> bool:
    """Whether the actor may work on the household's registry rows (a service's own check)."""
    from households.selectors import household_qs_visible_to

    return household_qs_visible_to(actor=actor).filter(pk=household.pk).exists()


def applicant_choices(*, household: Household) -> QuerySet[Member]:
    return household.members.filter(status=Member.Status.ACTIVE).order_by("created_at")


# ---- the clock panel -------------------------------------------------------------------------


def clock_panel(
    *, actor: Actor, today: dt.date, limit: int = 50, area_prefix: str | None = None
) -> tuple[int, int, list]:
    """Open applications in scope whose current step is near its limit or past it: the
    count past it, the count near it, and the most urgent rows first.

    `area_prefix` narrows to one area inside the actor's scope (the dashboard's chosen area);
    an area outside it reads as nothing, never as a widening.

    "Near" is one working day or less left: the calendar gives the last date still near,
    and the rest is one range over the partial index application_open_due, counted once
    (both counts in one pass) and read once for the rows.
    """
    overrides = calendar_overrides(district=district_prefix(actor) or "")
    near_until = workdays.add_workdays(today, 1, overrides)
    qs = _due_rows(actor, area_prefix).filter(due_on__lte=near_until)
    counts = qs.aggregate(
        overdue=Count("id", filter=Q(due_on__lt=today)),
        near=Count("id", filter=Q(due_on__gte=today)),
    )
    overdue, near = counts["overdue"], counts["near"]
    # The most urgent ids first, from the applications alone, then their few joins: joined
    # first, the planner would join every open application of the street before the limit.
    urgent = qs.order_by("due_on", "id").values("id")[:limit]
    rows = list(
        Application.objects.filter(id__in=Subquery(urgent))
        .select_related("household__area", "category")
        .order_by("due_on", "id")
    )
    return overdue, near, rows


def _due_rows(actor: Actor, area_prefix: str | None = None) -> QuerySet[Application]:
    qs = application_qs_visible_to(actor=actor)
    if area_prefix is not None:
        if not covers(actor, area_prefix):
            return qs.none()
        qs = qs.filter(within("area_code", area_prefix))
    open_steps = Q(status__in=Application.OPEN) | Q(
        status=Application.Status.REJECTED, rejection_notice_sent_on__isnull=True
    )
    return qs.filter(open_steps, due_on__isnull=False)


# ---- the responsibility list and the calendar ------------------------------------------------


def responsibility_qs_visible_to(*, actor: Actor) -> QuerySet[Responsibility]:
    prefix = district_prefix(actor)
    if prefix is None or not can(actor, Can.VIEW_REGISTRY):
        return Responsibility.objects.none()
    return Responsibility.objects.filter(district__prefix=prefix)


def responsibility_list(*, actor: Actor) -> QuerySet[Responsibility]:
    return responsibility_qs_visible_to(actor=actor).select_related(
        "district", "category", "department"
    )


def responsibility_get_for_edit(*, actor: Actor, responsibility_id: UUID | str) -> Responsibility:
    responsibility = _get(responsibility_list(actor=actor), responsibility_id)
    if not can(actor, Can.KEEP_RESPONSIBILITY_LIST):
        raise PermissionDenied
    return responsibility


def responsibility_for(*, household: Household, category_code: str) -> Responsibility | None:
    """The row of the household's district that routes the category, if the list has one."""
    return (
        Responsibility.objects.filter(
            district__prefix=household.area_code[:6], category_id=category_code
        )
        .select_related("department", "category")
        .first()
    )


def department_choices(*, actor: Actor) -> QuerySet[Provider]:
    """Government departments in the actor's area (the district admin's: the district)."""
    qs = Provider.objects.filter(kind=Provider.Kind.GOVERNMENT, active=True)
    return scoped(qs, actor=actor, field="area_code").order_by("name")


def district_of(*, actor: Actor) -> Area | None:
    prefix = district_prefix(actor)
    if prefix is None:
        return None
    return Area.objects.filter(prefix=prefix, level=Area.Level.DISTRICT).first()


def calendar_overrides(*, district: str) -> dict[dt.date, bool]:
    """A district's own days (by its six-digit code), for applications/workdays.py."""
    if not district:
        return {}
    rows = CalendarDay.objects.filter(district__prefix=district).values_list("day", "is_workday")
    return dict(rows)


def calendar_days(*, actor: Actor) -> QuerySet[CalendarDay]:
    prefix = district_prefix(actor)
    if prefix is None or not can(actor, Can.VIEW_REGISTRY):
        return CalendarDay.objects.none()
    return CalendarDay.objects.filter(district__prefix=prefix).order_by("-day")


def calendar_days_per_year(
    *, days: QuerySet[CalendarDay], years: tuple[int, ...]
) -> dict[int, int]:
    """How many of the district's own days fall in each of `years`: for a year without the
    official calendar, whether its holidays have been entered at all."""
    rows = (
        days.filter(day__year__in=years)
        .order_by()
        .values("day__year")
        .annotate(n=Count("id"))
        .values_list("day__year", "n")
    )
    return dict(rows)


# ---- 公示 --------------------------------------------------------------------------------------


def notice_qs_visible_to(*, actor: Actor) -> QuerySet[Notice]:
    if not can(actor, Can.VIEW_REGISTRY):
        return Notice.objects.none()
    return scoped(Notice.objects.all(), actor=actor, field="area_code")


def notice_list(*, actor: Actor) -> QuerySet[Notice]:
    return notice_qs_visible_to(actor=actor).select_related("community").order_by("-start", "-id")


def notice_get(*, actor: Actor, notice_id: UUID | str) -> Notice:
    return _get(notice_list(actor=actor), notice_id)


def publishable(*, actor: Actor, community: Area) -> QuerySet[Application]:
    """Applications of the community ready for 公示: investigated, their category publicised."""
    qs = application_qs_visible_to(actor=actor).filter(
        status=Application.Status.INVESTIGATING,
        responsibility__notice_required=True,
        investigation_started_on__isnull=False,
    )
    inside = Q(household__area=community) | Q(household__area__parent=community)
    return qs.filter(inside).select_related("applicant", "category", "household")


def community_choices(*, actor: Actor) -> QuerySet[Area]:
    return scoped(
        Area.objects.filter(level=Area.Level.COMMUNITY), actor=actor, field="prefix"
    ).order_by("code")


def investigator_choices(*, actor: Actor, household: Household) -> QuerySet[User]:
    """Active workers and street staff whose area covers the household's."""
    code = household.area_code
    prefixes = [code[:n] for n in (6, 9, 12, 15) if n <= len(code)]
    return User.objects.filter(
        is_active=True,
        role__in=[User.Role.SOCIAL_WORKER, User.Role.STREET_STAFF],
        area__prefix__in=prefixes,
    ).order_by("display_name", "username")
