"""Small includes of 一门受理 on other apps' pages: the household page's applications and the
dashboard's clock panel. Other apps' templates load these instead of their views knowing
about applications."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from applications import dashboard, selectors

register = template.Library()


@register.inclusion_tag("applications/_household_applications.html", takes_context=True)
def household_applications(context: dict[str, Any], household: Any) -> dict[str, Any]:
    user = context["request"].user
    return {
        "household": household,
        "applications": list(selectors.household_applications(household=household)[:20]),
        "may_take": selectors.may_take(user),
    }


@register.inclusion_tag("applications/_clock_panel.html", takes_context=True)
def application_clock_panel(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    return {"panel": dashboard.clock_panel(actor=user, today=timezone.localdate())}
