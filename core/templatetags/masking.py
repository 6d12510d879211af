"""`{{ phone|phone_for:user }}`: a phone number as the user may see it (core.masking)."""

from __future__ import annotations

from typing import Any

from django import template

from core.masking import phone_for as _phone_for

register = template.Library()


@register.filter
def phone_for(phone: str | None, user: Any) -> str:
    return _phone_for(user, phone)
