"""What the services of 一门受理 share: the clock's calendar, state checks, saving."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import selectors, workdays
from applications.models import Application
from core.audit import audit
from core.errors import ApplicationError


def today() -> dt.date:
    return timezone.localdate()


def overrides_for(application: Application) -> dict[dt.date, bool]:
    return selectors.calendar_overrides(district=application.area_code[:6])


def add_workdays(application: Application, start: dt.date, days: int) -> dt.date:
    return workdays.add_workdays(start, days, overrides_for(application))


def phone_hash(phone: str) -> str:
    """A keyed hash of a phone's digits: the lookup compares hashes, the row holds no number."""
    digits = re.sub(r"\D", "", phone)
    key = f"{settings.SECRET_KEY}:application-lookup-phone".encode()
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()


def locked(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def require_status(application: Application, *allowed: str) -> None:
    if application.status not in allowed:
        raise ApplicationError(
            _("该申请当前环节为“%(s)s”，不能执行此操作。") % {"s": application.get_status_display()}
        )


def save(
    application: Application, *, actor: object, verb: str, fields: list[str], changes: dict
) -> Application:
    application.version += 1
    application.save(update_fields=[*fields, "version", "updated_at"])
    audit(
        actor=actor,  # type: ignore[arg-type]
        verb=verb,
        obj=application,
        household_id=application.household_id,
        changes=changes,
    )
    return application
