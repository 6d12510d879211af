"""Helpers for server-rendered forms."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError


def add_service_errors(form: forms.Form, error: ValidationError | ApplicationError) -> None:
    """Put a service's errors on the form: on their field where the form has one."""
    if isinstance(error, ApplicationError):
        form.add_error(None, error.message)
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AccessLogSearchForm(forms.Form):
    """The access-log search of the page: dates are whole local days, both included."""

    user = forms.CharField(label=_("用户名"), max_length=150, required=False)
    q = forms.CharField(label=_("家庭：成员姓名或地址"), max_length=100, required=False)
    household = forms.CharField(label=_("家庭编号"), max_length=2000, required=False)
    action = forms.ChoiceField(label=_("操作"), required=False)
    reason = forms.CharField(label=_("查看事由包含"), max_length=100, required=False)
    date_from = forms.DateField(label=_("起始日期（含）"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("截止日期（含）"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from core.models import AccessLog

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("全部操作")), *AccessLog.Action.choices]

    def clean_household(self) -> str:
        """One household's number, or several comma-separated (an identity-number search)."""
        raw = self.cleaned_data["household"].strip()
        try:
            return ",".join(str(uuid.UUID(part.strip())) for part in raw.split(",") if part)
        except ValueError:
            raise ValidationError(_("家庭编号格式不正确。")) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise ValidationError({"date_to": _("截止日期不能早于起始日期。")})
        return data

    def filters(self) -> dict[str, str]:
        """The selector's filters (since/until as local midnights); {} when invalid."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        keys = ("user", "q", "household", "action", "reason")
        filters = {k: str(data[k]) for k in keys if data.get(k)}
        if data.get("date_from"):
            filters["since"] = _midnight(data["date_from"]).isoformat()
        if data.get("date_to"):
            filters["until"] = _midnight(data["date_to"] + dt.timedelta(days=1)).isoformat()
        return filters


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
