"""Django admin: case work is read here at most. Writes go through the app's pages and services
(validation, rescheduling, audit), so nothing is editable in the admin."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from cases.models import TierRule


@admin.register(TierRule)
class TierRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "tier", "interval_months", "priority", "active"]
    list_filter = ["tier", "active"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TierRule | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TierRule | None = None) -> bool:
        return False
