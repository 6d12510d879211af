"""The district's responsibility list (责任清单) and its own calendar days."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from access.capabilities import Can, can
from applications import selectors
from applications.defaults import NATIONAL_LIMITS
from applications.models import CalendarDay, Responsibility
from core.audit import audit, diff
from core.errors import StaleVersionError
from households.models import Area, Category
from resources.models import Provider

if TYPE_CHECKING:
    from households.models import User

LIMIT_FIELDS = [
    "accept_days",
    "investigate_days",
    "notice_days",
    "total_days",
    "reject_notice_days",
    "investigation_required",
    "notice_required",
]
FIELDS = ["department", "steps", *LIMIT_FIELDS]


def _district(actor: User) -> Area:
    if not can(actor, Can.KEEP_RESPONSIBILITY_LIST):
        raise PermissionDenied
    district = selectors.district_of(actor=actor)
    if district is None:
        raise PermissionDenied
    return district


def _check_department(actor: User, department: Provider) -> None:
    if not selectors.department_choices(actor=actor).filter(pk=department.pk).exists():
        raise ValidationError({"department": _("承办部门须为本区在用的政府部门。")})


@transaction.atomic
def responsibility_create(
    *, actor: User, category: Category, data: dict[str, Any]
) -> Responsibility:
    """Add a category to the district's list; unset limits take the national defaults."""
    district = _district(actor)
    _check_department(actor, data["department"])
    values = {**NATIONAL_LIMITS[category.code], **{k: v for k, v in data.items() if v is not None}}
    row = Responsibility(district=district, category=category, **values)
    row.full_clean()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError({"category": _("本区已有该救助类别的责任清单。")}) from None
    audit(actor=actor, verb="responsibility.create", obj=row, changes={"category": category.code})
    return row


@transaction.atomic
def responsibility_update(
    *, actor: User, responsibility: Responsibility, data: dict[str, Any], version: int
) -> Responsibility:
    """Change a row. Applications already taken keep the due dates they were given."""
    _district(actor)
    row = Responsibility.objects.select_for_update().get(pk=responsibility.pk)
    if row.version != version:
        raise StaleVersionError(_("该责任清单已被他人修改，请刷新后重试。"))
    _check_department(actor, data["department"])
    fields = [f for f in FIELDS if f in data]
    before = {f: getattr(row, f) for f in fields}
    for name in fields:
        setattr(row, name, data[name])
    row.full_clean()
    changes = diff(row, {**before, "department": before.get("department")}, fields)
    row.version += 1
    row.save(update_fields=[*fields, "version", "updated_at"])
    audit(actor=actor, verb="responsibility.update", obj=row, changes=changes)
    return row


@transaction.atomic
def calendar_day_set(*, actor: User, day: dt.date, is_workday: bool, note: str) -> CalendarDay:
    """A local holiday or a day worked, over the official calendar (or filling a year the
    official calendar does not yet hold). Due dates already set are not moved."""
    district = _district(actor)
    row, _created = CalendarDay.objects.update_or_create(
        district=district, day=day, defaults={"is_workday": is_workday, "note": note}
    )
    audit(
        actor=actor,
        verb="calendar_day.set",
        obj=row,
        changes={"day": day.isoformat(), "is_workday": is_workday},
    )
    return row


@transaction.atomic
def calendar_day_remove(*, actor: User, day: dt.date) -> None:
    district = _district(actor)
    row = CalendarDay.objects.filter(district=district, day=day).first()
    if row is None:
        return
    audit(actor=actor, verb="calendar_day.remove", obj=row, changes={"day": day.isoformat()})
    row.delete()
