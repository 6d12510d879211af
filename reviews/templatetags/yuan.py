"""`{{ amount|yuan }}`: 1195 → 1,195 and 812.5 → 812.50, the way amounts of money are written
in notices, whatever the locale's number grouping (Django's zh-hans has none)."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value: Decimal | int | None) -> str:
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"
